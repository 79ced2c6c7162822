package dev.spark.issues;

/** One stack frame as it takes part in a fingerprint: class or file plus function, and whether it is framework code. */
record Frame(String key, boolean framework) {}
