#!/usr/bin/env bash
# Runs the consent write/read benchmark: builds what it needs, then prints latencies of the service
# next to a same-machine, same-run baseline (the same SQL over plain JDBC) and their ratios.
#   bench/run.sh [-Dbench.ops=2000] [-Dbench.records=1000000]
source "$(dirname "$0")/common.sh"
run_bench ConsentBench "$@"
