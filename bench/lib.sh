# Shared by bench/*/run: builds the bench module (and what it depends on) and runs one of its main classes.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_bench() {
  echo "building promptcanary (bench module and its dependencies)..." >&2
  # package, not install: ~/.m2 is shared, and the reactor resolves the modules from their target/ directories
  (cd "$BENCH_ROOT" && mvn -q -B -DskipTests -pl bench -am package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt) >&2
}

run_bench_main() {
  local main=$1; shift
  java -Xmx4g -cp "$BENCH_ROOT/bench/target/classes:$(cat "$BENCH_ROOT/bench/target/classpath.txt")" "$main" "$@"
}
