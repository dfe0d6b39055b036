# Sourced by bench/run*.sh, so every benchmark is built and started the same way:
#   run_bench <main class in io.samtykke.bench> [java -D options...]
# builds the bench module (skipped with SAMTYKKE_SKIP_BUILD=1), then replaces the shell with the benchmark's JVM,
# run from the repository root.
set -euo pipefail

run_bench() {
  local main="$1"
  shift
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"
  if [ "${SAMTYKKE_SKIP_BUILD:-0}" != "1" ]; then
    ./mvnw -B -q -pl bench -am package -DskipTests
  fi
  # Services run as deploy/local runs them in production (C2 compiler on, the same heap), not with the tests'
  # quick-start options; SAMTYKKE_SERVICE_JVM adds to or replaces them (e.g. a flight recording).
  exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dsamtykke.repo.root="$root" \
    -Dsamtykke.service.jvm-options="${SAMTYKKE_SERVICE_JVM:--Xmx256m}" "$@" \
    -cp "bench/target/classes:bench/target/lib/*" "io.samtykke.bench.$main"
}
