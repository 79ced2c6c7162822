package dev.spark.bus;

/** The ids the committed rows got, in the order they were sent. */
public record WriteResult(long[] ids) {}
