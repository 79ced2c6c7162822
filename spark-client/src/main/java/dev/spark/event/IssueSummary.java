package dev.spark.event;

/**
 * What an issue shows of the event that opened it, computed at ingest with the fingerprint: the
 * exception class, the message as sent (capped) and the top application frame ("culprit"). Any may be null.
 */
public record IssueSummary(String errorClass, String message, String culprit) {}
