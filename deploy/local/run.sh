#!/usr/bin/env bash
# Starts the whole samtykke cluster on this machine with only a JDK (no Docker):
# PostgreSQL, Kafka and the three services. Ctrl-C stops it. See deploy/local/README.md.
#   deploy/local/run.sh            build, then start
#   deploy/local/run.sh --status   is it running, are the services ready?
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

java="java"
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi

if [ "${SAMTYKKE_SKIP_BUILD:-0}" != "1" ] && [ "${1:-}" != "--status" ]; then
  echo "building (./mvnw -B -q install -DskipTests; set SAMTYKKE_SKIP_BUILD=1 to skip) ..."
  ./mvnw -B -q install -DskipTests
fi

if [ ! -d deploy/local/target/lib ]; then
  echo "deploy/local is not built; run without SAMTYKKE_SKIP_BUILD=1 once" >&2
  exit 1
fi

# exec: Ctrl-C reaches the launcher directly, whose shutdown hook stops everything in order.
# The launcher only supervises (PostgreSQL handle, readiness, watching): a small heap is plenty.
exec "$java" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dsamtykke.repo.root="$root" \
  -cp "$root/deploy/local/target/classes:$root/deploy/local/target/lib/*" \
  io.samtykke.local.LocalCluster "$@"
