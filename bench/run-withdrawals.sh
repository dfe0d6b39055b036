#!/usr/bin/env bash
# Runs the withdrawal propagation benchmark: builds what it needs, then prints how long a withdrawal
# (HTTP 201 from consent-service) takes to flip preference-service's decision and to reach a webhook
# receiver, next to a same-run Kafka produce->consume baseline on the same broker.
#   bench/run-withdrawals.sh [-Dbench.withdrawals=1000]
source "$(dirname "$0")/common.sh"
run_bench WithdrawalBench "$@"
