#!/usr/bin/env bash
# Runs every open-loop throughput benchmark of the throughput issue in one JVM (bench/README.md, "throughput"):
# consent-service's read and write against a trivial endpoint and the same SQL over JDBC; the whole cluster's write with
# audit and projection keeping up; audit ingest and checkpoints; batch decisions; withdrawal propagation; the offline
# verifier against SHA-256; reads and writes at a small and a large history; start-up time and memory. Writes
# bench/results/<date>-*.json/png and (for a run of all of them) the table in bench/README.md.
#   bench/run-throughput.sh [-Dbench.only=read,write,cluster,withdrawal,batch,audit,verifier,history,startup]
#                           [-Dbench.connections=8] [-Dbench.step.seconds=5] [-Dbench.history.large=10000000] ...
source "$(dirname "$0")/common.sh"
run_bench ThroughputBench "$@"
