#!/usr/bin/env bash
# Runs the withdrawal propagation benchmark: builds what it needs, then prints how long a withdrawal
# (HTTP 201 from consent-service) takes to flip preference-service's decision and to reach a webhook
# receiver, next to a same-run Kafka produce->consume baseline on the same broker.
#   bench/run-withdrawals.sh [-Dbench.withdrawals=1000]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${SAMTYKKE_SKIP_BUILD:-0}" != "1" ]; then
  ./mvnw -B -q -pl bench -am package -DskipTests
fi
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Dsamtykke.repo.root="$root" "$@" \
  -cp "bench/target/classes:bench/target/lib/*" io.samtykke.bench.WithdrawalBench
