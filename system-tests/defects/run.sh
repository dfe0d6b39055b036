#!/usr/bin/env bash
# Shows that the system tests catch a real defect: applies a patch that puts a defect back in a scratch copy of
# this repository's last commit, builds it, runs a system test there and passes only when that test FAILS.
#   system-tests/defects/run.sh [patch] [test filter]
# Default: the outbox relay's start-up race (relay-start-race.patch) against StartOrderTest.
# Extra Maven options (e.g. -o) go in MAVEN_ARGS.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
patch=$(realpath "${1:-$root/system-tests/defects/relay-start-race.patch}")
filter=${2:-StartOrderTest}
scratch=$(mktemp -d)/samtykke
git clone -q "$root" "$scratch"
cd "$scratch"
git apply "$patch"
echo "defect: $(basename "$patch") applied in $scratch; building"
./mvnw -B -q ${MAVEN_ARGS:-} install -DskipTests
log="$scratch/defect-run.log"
if ./mvnw -B ${MAVEN_ARGS:-} verify -pl system-tests -Dtest="$filter" >"$log" 2>&1; then
  echo "NOT CAUGHT: $filter passed with the defect in place (log: $log)"
  exit 1
fi
grep -E "Tests run:|FAIL|expected|lost|missing" "$log" | grep -v "^\[INFO\] Tests run: 0" | head -20 || true
echo "CAUGHT: $filter failed with the defect in place (log: $log)"
