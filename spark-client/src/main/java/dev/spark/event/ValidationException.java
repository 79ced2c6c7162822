package dev.spark.event;

import io.vertx.core.json.JsonObject;

/** Input Spark refuses: names the offending field (a JSON path such as {@code [3].status}) and why. */
public final class ValidationException extends RuntimeException {
  private final String field;

  public ValidationException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }

  public JsonObject toJson() {
    JsonObject body = new JsonObject().put("error", "invalid_input").put("message", getMessage());
    if (field != null && !field.isEmpty()) body.put("field", field);
    return body;
  }
}
