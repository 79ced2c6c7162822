package dev.spark.support;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

import java.nio.file.Path;

/** Configuration and input shared by the tests that run Spark's agent. */
public final class AgentSetup {
  private AgentSetup() {}

  /** An {@code agent} section running {@code pi} in {@code project} against the scripted model ({@code env} from {@link ScriptedModel#piEnvironment}). */
  public static JsonObject agentConfig(Path pi, Path project, JsonObject env) {
    return new JsonObject().put("enabled", true).put("command", pi.toString()).put("cwd", project.toString())
        .put("args", new JsonArray().add("--no-session").add("--provider").add(ScriptedModel.PROVIDER).add("--model").add(ScriptedModel.MODEL))
        .put("env", env).put("restartDelayMs", 100).put("restartMaxDelayMs", 2_000);
  }

  /** Ingests one server-error over HTTP and returns its id. */
  public static long ingest(SparkUnderTest spark, String message) {
    HttpResponse<Buffer> r = spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error").put("status", 500)
        .put("error", new JsonObject().put("message", message)));
    if (r.statusCode() != 200) throw new AssertionError("ingest answered " + r.statusCode() + ": " + r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("ids").getLong(0);
  }
}
