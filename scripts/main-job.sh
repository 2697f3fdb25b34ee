#!/usr/bin/env bash
# The main job on real outputs: score the recorded XSTest completions of three
# chat models with the refusal-calibration scorer, then build the static site
# that puts those reports beside the published system-card figures.
#
# Usage: scripts/main-job.sh [OUTDIR]   (default: out)
# CANDOR_SHARED_DATA names the folder holding xstest/ (default: ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-out}"
data="${CANDOR_SHARED_DATA:-../shared/data}"
candor=(node bin/candor.js)

rm -rf "$out/reports" "$out/site"
mkdir -p "$out/reports"
cp examples/published/*.json "$out/reports/"

if [ -d "$data/xstest" ]; then
  # Display names for the three XSTest v2 completion files, which record only
  # a short key in their names, and neither a model version nor the settings.
  declare -A names=([gpt4]="GPT-4" [llama2orig]="Llama 2 70B Chat (original system prompt)" [mistralinstruct]="Mistral 7B Instruct v0.1")
  declare -A developers=([gpt4]="OpenAI" [llama2orig]="Meta" [mistralinstruct]="Mistral AI")
  for file in "$data"/xstest/xstest_v2_completions_*.csv; do
    key="$(basename "$file" .csv)"
    key="${key#xstest_v2_completions_}"
    echo "scoring $file"
    "${candor[@]}" score --suite refusal-calibration --responses "$file" \
      --out "$out/reports/xstest-$key" \
      --model-name "${names[$key]:-$key}" --developer "${developers[$key]:-unknown}" \
      --model-version "version not recorded" \
      --endpoint "completions recorded in XSTest v2 ($(basename "$file"))" \
      --publisher "Candor main job" --relationship third_party
  done
else
  echo "no XSTest data at $data/xstest: building the site from the published reports only" >&2
fi

"${candor[@]}" site "$out/reports" -o "$out/site"
