#!/usr/bin/env bash
# Runs the consent write/read benchmark: builds what it needs, then prints latencies of the service
# next to a same-machine, same-run baseline (the same SQL over plain JDBC) and their ratios.
#   bench/run.sh [-Dbench.ops=2000] [-Dbench.records=1000000]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${SAMTYKKE_SKIP_BUILD:-0}" != "1" ]; then
  ./mvnw -B -q -pl bench -am package -DskipTests
fi
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dsamtykke.repo.root="$root" "$@" \
  -cp "bench/target/classes:bench/target/lib/*" io.samtykke.bench.ConsentBench
