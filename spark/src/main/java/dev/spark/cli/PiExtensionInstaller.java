package dev.spark.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Installs Spark's Pi extension (shipped in the jar) for human Pi sessions in a project; {@code spark init} runs it. */
public final class PiExtensionInstaller {
  private PiExtensionInstaller() {}

  public static final String EXTENSION_RESOURCE = "/pi-extension/spark.ts";
  public static final String EXTENSION_PATH = "spark/extension.ts";

  /**
   * Writes the Pi extension to {@code .pi/spark/extension.ts} and lists it in {@code .pi/settings.json}'s
   * {@code extensions} (paths there are relative to {@code .pi}).
   *
   * @return why the settings could not be updated, or null
   */
  public static String install(Path cwd, List<String> done, List<String> already) throws IOException {
    byte[] extension;
    try (var in = PiExtensionInstaller.class.getResourceAsStream(EXTENSION_RESOURCE)) {
      if (in == null) throw new IllegalStateException(EXTENSION_RESOURCE + " is missing from the classpath");
      extension = in.readAllBytes();
    }
    Path pi = cwd.resolve(".pi");
    Path file = pi.resolve(EXTENSION_PATH);
    if (Files.exists(file) && Arrays.equals(Files.readAllBytes(file), extension)) {
      already.add(".pi/" + EXTENSION_PATH + " is up to date");
    } else {
      boolean existed = Files.exists(file);
      Files.createDirectories(file.getParent());
      Files.write(file, extension);
      done.add((existed ? "Updated" : "Installed") + " the Pi extension .pi/" + EXTENSION_PATH);
    }
    Path settings = pi.resolve("settings.json");
    JsonObject json;
    if (Files.exists(settings)) {
      try {
        json = new JsonObject(Files.readString(settings, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        return ".pi/settings.json is not a JSON object; add \"" + EXTENSION_PATH + "\" to its \"extensions\" yourself";
      }
    } else {
      json = new JsonObject();
    }
    Object list = json.getValue("extensions");
    if (list != null && !(list instanceof JsonArray)) {
      return ".pi/settings.json has an \"extensions\" that is not an array; add \"" + EXTENSION_PATH + "\" to it yourself";
    }
    JsonArray extensions = list == null ? new JsonArray() : (JsonArray) list;
    if (extensions.contains(EXTENSION_PATH)) {
      already.add(".pi/settings.json already loads it");
      return null;
    }
    json.put("extensions", extensions.add(EXTENSION_PATH));
    Files.writeString(settings, json.encodePrettily() + "\n", StandardCharsets.UTF_8);
    done.add("Registered it in .pi/settings.json");
    return null;
  }

}
