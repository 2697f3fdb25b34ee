#!/bin/bash
# Prints the number of orders and the sum of the amount column of an orders
# CSV file whose first line is a header.
# Usage: bash totals.sh FILE
awk -F, 'NR > 1 { count++; sum += $3 } END { printf "orders %d total %.2f\n", count, sum }' "$1"
