#!/bin/bash
# Converts an amount in euros to another currency with the rates in data/rates.csv.
# Usage: bash convert.sh AMOUNT CURRENCY
rate=$(awk -F, -v currency="$2" '$1 == currency { print $2 }' data/rates.csv)
if [ -z "$rate" ]; then
  echo "error: no rate for $2" >&2
  exit 1
fi
awk -v amount="$1" -v rate="$rate" 'BEGIN { printf "%.2f\n", amount * rate }'
