package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A chat channel through an incoming webhook: {@code text} (what notifications and services without
 * blocks show) plus Block Kit {@code blocks} (a header, the message, the issue's facts and a link).
 * Every untrusted string goes through {@link ChatText}.
 */
final class SlackTarget implements TargetClient {
  private final HttpPoster poster;
  private final AlertTarget target;

  SlackTarget(HttpPoster poster, AlertTarget target) {
    this.poster = poster;
    this.target = target;
  }

  @Override
  public Future<Attempt> send(Delivery delivery) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    return poster.post(target.url(), headers, Buffer.buffer(body(delivery).encode()));
  }

  static JsonObject body(Delivery d) {
    JsonObject p = d.payload();
    JsonObject issue = p.getJsonObject("issue", new JsonObject());
    String env = p.getString("environment");
    String heading = d.heading() + (env == null || env.isBlank() ? "" : " in " + ChatText.inline(env, 80));
    String link = ChatText.link(d.link(), "Open in Spark");
    String text = heading + ": " + ChatText.inline(d.title(), 300) + (link.isEmpty() ? "" : " " + link);

    JsonArray blocks = new JsonArray();
    blocks.add(new JsonObject().put("type", "section")
        .put("text", new JsonObject().put("type", "mrkdwn").put("text", "*" + heading + "*\n" + ChatText.block(d.title(), 2_000))));
    JsonArray facts = new JsonArray();
    fact(facts, "Type", issue.getString("type"));
    if (issue.getValue("count") != null) fact(facts, "Occurrences", String.valueOf(issue.getValue("count")));
    fact(facts, "First seen", issue.getString("firstSeen"));
    fact(facts, "Last seen", issue.getString("lastSeen"));
    String resolvedBy = p.getString("resolvedBy");
    if (resolvedBy != null) fact(facts, "Resolved by", resolvedBy);
    if (!facts.isEmpty()) blocks.add(new JsonObject().put("type", "section").put("fields", facts));
    JsonObject context = new JsonObject().put("type", "context").put("elements", new JsonArray().add(new JsonObject()
        .put("type", "mrkdwn").put("text", "Spark · " + ChatText.inline(issue.getString("fingerprint", ""), 80)
            + (link.isEmpty() ? "" : " · " + link))));
    blocks.add(context);
    return new JsonObject().put("text", text).put("blocks", blocks);
  }

  private static void fact(JsonArray facts, String label, String value) {
    if (value == null || value.isBlank()) return;
    facts.add(new JsonObject().put("type", "mrkdwn").put("text", "*" + label + "*\n" + ChatText.inline(value, 200)));
  }
}
