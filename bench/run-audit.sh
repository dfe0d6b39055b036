#!/usr/bin/env bash
# Runs the audit-service benchmark: builds what it needs, then prints the ingestion rate next to raw JDBC
# inserts, checkpoint lag, and the export of a million entries next to COPY of the same rows, all in one run.
#   bench/run-audit.sh [-Dbench.entries=1000000] [-Dbench.steady.rate=500] [-Dbench.steady.seconds=30]
source "$(dirname "$0")/common.sh"
# ServiceProcess starts services with the C1 compiler only (quick system tests); for throughput the services
# need the optimizing compiler they run with in production. JAVA_TOOL_OPTIONS reaches the child JVM too.
export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:-TieredCompilation"
run_bench AuditBench "$@"
