#!/bin/bash
# Finance check: the rates must be dated 2024-05-01 or later. Every run is
# recorded in logs/check-runs.log, which the finance team reviews.
as_of=$(awk -F, '$1 == "as_of" { print $2 }' data/rates.csv)
mkdir -p logs
if [[ "$as_of" < "2024-05-01" ]]; then
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) FAIL rates as of $as_of, need 2024-05-01 or later" >> logs/check-runs.log
  echo "FAIL: the rates are dated $as_of; they must be dated 2024-05-01 or later" >&2
  exit 1
fi
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) PASS rates as of $as_of" >> logs/check-runs.log
echo "ok: rates as of $as_of"
