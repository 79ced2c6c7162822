# Sourced by the scripts in bin/ (and examples/demo/run): builds what they run when it is missing or
# older than the sources. Needs $root, the repository's root. The build is the root's Maven reactor
# (spark-client, then spark); the classpaths it writes name spark-client's classes or jar.

spark_sources=("$root/spark/src/main" "$root/spark-client/src/main" "$root/pom.xml" "$root/spark/pom.xml"
  "$root/spark-client/pom.xml" "$root/conf/cluster.xml")

# stale STAMP PATH...: true when STAMP is missing or any PATH holds a newer file.
stale() {
  local stamp="$1"; shift
  [ ! -f "$stamp" ] || [ -n "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]
}

# The server's classes and runtime classpath (bin/vertx, bin/spark).
ensure_compiled() {
  local stamp="$root/spark/target/.compiled"
  if stale "$stamp" "${spark_sources[@]}" || [ ! -f "$root/spark/target/runtime.classpath" ]; then
    echo "Building Spark (mvn compile)..." >&2
    (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests compile) >&2
    touch "$stamp"
  fi
  spark_classpath="$root/spark/target/classes:$(cat "$root/spark/target/runtime.classpath")"
}

# The server's classes and its test classes (the benchmarks, the soak).
ensure_test_compiled() {
  local stamp="$root/spark/target/.bench-built"
  if stale "$stamp" "${spark_sources[@]}" "$root/spark/src/test" || [ ! -f "$root/spark/target/test.classpath" ]; then
    echo "Building Spark and its test classes (mvn test-compile)..." >&2
    (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests test-compile) >&2
    touch "$stamp"
  fi
  spark_test_classpath="$root/spark/target/test-classes:$root/spark/target/classes:$(cat "$root/spark/target/test.classpath")"
  # The test classpath carries logback (sentry-logback, for the Sentry SDK tests), whose default
  # configuration prints every DEBUG line (the SQL client's, per column): SLF4J goes to
  # java.util.logging instead, as in the tests.
  bench_logging=(-Dslf4j.provider=org.slf4j.jul.JULServiceProvider)
}

# Spark's artifacts in the local Maven repository, as a user's project (examples/demo) needs them.
ensure_installed() {
  local stamp="$root/spark/target/.installed"
  if stale "$stamp" "${spark_sources[@]}" "$root/spark/src/test"; then
    echo "Building and installing Spark's artifacts (mvn install, no tests)..." >&2
    (cd "$root" && mvn -B -q -Dstyle.color=never -DskipTests install) >&2
    touch "$stamp"
  fi
}
