#!/usr/bin/env bash
# Runs the open-loop throughput benchmark (issue: throughput near the machine's limit): consent-service's read and
# write against a trivial endpoint and the same SQL over JDBC, in one run; writes bench/results/<date>-*.json/png and
# the table in bench/README.md.
#   bench/run-throughput.sh [-Dbench.connections=8] [-Dbench.step.seconds=5] [-Dbench.read.p99.ms=25] [-Dbench.write.p99.ms=100]
source "$(dirname "$0")/common.sh"
run_bench ThroughputBench "$@"
