package dev.spark.storage;

import java.util.Objects;

/**
 * A rollup row's key in {@link AccessRollups}' tally, equal as the record it replaced was. Mutable: the
 * tally looks rows up with one reused instance and stores a copy only for a key new in the commit, so
 * most rows allocate no key. A stored key is never changed.
 */
final class RollupKey {
  String bucket;
  String method;
  String route;
  String feature;
  int status;
  double duration;

  RollupKey set(String bucket, String method, String route, String feature, int status, double duration) {
    this.bucket = bucket;
    this.method = method;
    this.route = route;
    this.feature = feature;
    this.status = status;
    this.duration = duration;
    return this;
  }

  RollupKey copy() {
    return new RollupKey().set(bucket, method, route, feature, status, duration);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RollupKey k && status == k.status && Double.compare(duration, k.duration) == 0 && Objects.equals(bucket, k.bucket)
        && Objects.equals(method, k.method) && Objects.equals(route, k.route) && Objects.equals(feature, k.feature);
  }

  @Override
  public int hashCode() {
    int h = Objects.hashCode(bucket);
    h = 31 * h + Objects.hashCode(method);
    h = 31 * h + Objects.hashCode(route);
    h = 31 * h + Objects.hashCode(feature);
    h = 31 * h + status;
    return 31 * h + Double.hashCode(duration);
  }
}
