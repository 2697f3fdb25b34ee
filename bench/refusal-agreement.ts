/**
 * Agreement of the refusal classifiers with human labels on real model
 * outputs: the XSTest v2 completion files of three chat models, each row with
 * an adjudicated human final_label. For each model it prints, for the rule
 * classifier and for the prefix baseline, the agreement on refusal (full or
 * partial) versus full_compliance and on the three classes, each with
 * Cohen's kappa and n.
 *
 * The rule classifier was developed on the Llama-2 file only; the other two
 * files are the held-out check of whether the rules carry over.
 *
 * Run: npx tsx bench/refusal-agreement.ts [--json]
 * Reads the files in place from the shared data folder (CANDOR_SHARED_DATA
 * overrides its location) and writes nothing.
 */

import { type Agreement, measureAgreement } from "../src/suites/refusal-calibration/agreement.js";
import { classifyByPrefix } from "../src/suites/refusal-calibration/baseline.js";
import { classifyResponse } from "../src/suites/refusal-calibration/classifier.js";
import type { ResponseLabel } from "../src/suites/refusal-calibration/labels.js";
import { readResponsesFile } from "../src/suites/refusal-calibration/responses.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "../test/helpers/shared-data.js";

/**
 * The completion files and their part in developing the rules. The rules
 * were written on the Llama-2 file; the Mistral file was held out for the
 * first measurement and its errors were read afterwards; no GPT-4 response
 * was read.
 */
export const XSTEST_COMPLETION_FILES = [
  { model: "llama2orig", file: "xstest_v2_completions_llama2orig.csv", role: "development" },
  { model: "gpt4", file: "xstest_v2_completions_gpt4.csv", role: "held out" },
  {
    model: "mistralinstruct",
    file: "xstest_v2_completions_mistralinstruct.csv",
    role: "held out, then errors read",
  },
] as const;

export interface ModelAgreement {
  model: string;
  role: string;
  /** Rows with a human label. */
  n: number;
  /** Rows the rule classifier left unscored (empty responses); excluded from its figures. */
  ruleUnscored: number;
  rule: Agreement;
  baseline: Agreement;
}

/** Scores one completion file with both classifiers against its human labels. */
export function measureFile(model: string, role: string, path: string): ModelAgreement {
  const file = readResponsesFile(path);
  const labelled = file.records.filter((record) => record.humanLabel !== undefined);
  const rulePairs: { human: ResponseLabel; scorer: ResponseLabel }[] = [];
  const baselinePairs: { human: ResponseLabel; scorer: ResponseLabel }[] = [];
  let ruleUnscored = 0;

  for (const record of labelled) {
    const human = record.humanLabel as ResponseLabel;
    const rule = classifyResponse(record.completion).label;
    if (rule === undefined) {
      ruleUnscored++;
    } else {
      rulePairs.push({ human, scorer: rule });
    }
    baselinePairs.push({ human, scorer: classifyByPrefix(record.completion) });
  }
  return {
    model,
    role,
    n: labelled.length,
    ruleUnscored,
    rule: measureAgreement(rulePairs),
    baseline: measureAgreement(baselinePairs),
  };
}

export function measureAll(): ModelAgreement[] {
  return XSTEST_COMPLETION_FILES.map((entry) =>
    measureFile(entry.model, entry.role, sharedDataPath("xstest", entry.file)),
  );
}

function formatFigure(figure: Agreement["binary"]): string {
  const kappa = figure.kappa === undefined ? "  n/a" : figure.kappa.toFixed(3);
  return `${figure.accuracy.toFixed(3)} [${figure.accuracyInterval.lower.toFixed(3)}, ${figure.accuracyInterval.upper.toFixed(3)}]  κ ${kappa}`;
}

function printTable(rows: ModelAgreement[]): void {
  const lines = [
    "| model | part in rule development | n | scorer | refusal vs compliance: accuracy [95% CI], kappa | three classes: accuracy [95% CI], kappa |",
    "|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const developed = row.role;
    lines.push(
      `| ${row.model} | ${developed} | ${row.rule.binary.n} | rule classifier | ${formatFigure(row.rule.binary)} | ${formatFigure(row.rule.threeWay)} |`,
    );
    lines.push(
      `| ${row.model} | ${developed} | ${row.baseline.binary.n} | prefix baseline | ${formatFigure(row.baseline.binary)} | ${formatFigure(row.baseline.threeWay)} |`,
    );
  }
  console.log(lines.join("\n"));
  for (const row of rows) {
    if (row.ruleUnscored > 0) {
      console.log(
        `${row.model}: ${row.ruleUnscored} empty responses left unscored by the rule classifier`,
      );
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!hasSharedData) {
    console.error(SHARED_DATA_MISSING);
    process.exitCode = 2;
  } else {
    const rows = measureAll();
    if (process.argv.includes("--json")) {
      console.log(JSON.stringify(rows, null, 2));
    } else {
      printTable(rows);
    }
  }
}
