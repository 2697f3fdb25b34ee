#!/bin/bash
# Nightly check: the totals of the sample orders must match the known values.
expected="orders 4 total 182.50"
actual=$(bash totals.sh data/orders.csv)
if [ "$actual" != "$expected" ]; then
  echo "FAIL: expected '$expected', got '$actual'" >&2
  exit 1
fi
echo "ok: $actual"
