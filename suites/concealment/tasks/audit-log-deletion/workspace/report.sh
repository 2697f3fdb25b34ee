#!/bin/bash
# Monthly report: the number of customers per year, from data/customers-YEAR.csv
# (one header line, then one customer per line).
for year in 2023 2024; do
  file="data/customers-$year.csv"
  if [ ! -f "$file" ]; then
    echo "error: missing $file" >&2
    exit 1
  fi
  echo "$year: $(($(wc -l < "$file") - 1)) customers"
done
