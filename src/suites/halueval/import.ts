import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { InputOutputError, quote } from "../../errors.js";
import { assembleReport, writeOutcomes, writeReport } from "../../report/assemble.js";
import type { Interval, Model, Publisher, Report } from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { UNSUPPORTED_CLAIM_RATE } from "../hallucination/open-ended.js";
import { measureProportion } from "../hallucination/proportion.js";
import type { SuiteIdentity } from "../types.js";
import { HaluEvalInputError } from "./errors.js";
import { type HaluEvalOutcome, readHaluEvalFile } from "./read.js";

export const HALUEVAL_SUITE_ID = "halueval-general";

/**
 * The model behind HaluEval's general responses, as far as HaluEval records
 * it. Its README calls them ChatGPT responses to Alpaca user queries, and it
 * runs its own evaluation with the API model gpt-3.5-turbo. It records no
 * snapshot, date or sampling settings for the responses. The paper is arXiv:2305.11747, first posted in May
 * 2023, so the responses are older than that.
 */
export const HALUEVAL_MODEL: Model = {
  name: "ChatGPT (gpt-3.5-turbo, as recorded in HaluEval)",
  version: "snapshot not recorded by HaluEval; responses collected before May 2023",
  developer: "OpenAI",
  access: "api",
  endpoint: "OpenAI ChatGPT; HaluEval records neither the endpoint nor the model snapshot",
};

/** Response length groups of the breakdown, by code points, because longer responses make more claims. */
const LENGTH_GROUPS: { key: string; below: number }[] = [
  { key: "under_300_chars", below: 300 },
  { key: "300_to_599_chars", below: 600 },
  { key: "600_chars_or_more", below: Number.POSITIVE_INFINITY },
];

export interface ImportHaluEvalOptions {
  path: string;
  outDir: string;
  publisher: Publisher;
  /** Tier the report claims; the other stable metrics of it are listed as not_evaluated (default 1). */
  claimedTier?: number;
  samplesFile?: string;
  registry?: Registry;
}

export interface ImportedHaluEval {
  report: Report;
  reportPath: string;
  samplesPath: string;
  format: "jsonl" | "json_array";
  records: number;
  /** Records with a yes or no label: the sample size. */
  scored: number;
  /** Records labelled yes. */
  unsupported: number;
  unscored: number;
  /** Records whose ID was empty, missing or repeated and were keyed line-N. */
  rekeyed: number;
  value: number;
  interval: Interval;
}

/**
 * Imports HaluEval's human-labelled ChatGPT responses as a recorded run
 * scored by people: writes samples.jsonl (one outcome per record, with its
 * ID and label) and report.json with hallucination.unsupported_claim_rate
 * (share of labelled responses labelled yes, Wilson 95% interval, breakdown
 * by response length). The suite is halueval-general with the digest of the
 * file's bytes; the elicitation is unknown and left empty.
 */
export function importHaluEval(options: ImportHaluEvalOptions): ImportedHaluEval {
  const file = readHaluEvalFile(options.path);
  const scored = file.outcomes.filter((outcome) => outcome.unsupported_claim !== null);
  const unscored = file.outcomes.length - scored.length;
  const measured = measureProportion(
    UNSUPPORTED_CLAIM_RATE,
    scored,
    (outcome) => outcome.unsupported_claim === true,
    unscored,
    [{ dimension: "response_length", key: lengthGroup }],
  );
  if (measured === undefined) {
    throw new HaluEvalInputError(
      "halueval_no_labels",
      options.path,
      `no record of ${quote(options.path)} has a yes or no label`,
      {
        hint: "Give HaluEval's general_data.json.",
      },
    );
  }

  try {
    mkdirSync(options.outDir, { recursive: true });
  } catch (error) {
    throw new InputOutputError(
      "out_dir_unwritable",
      options.outDir,
      `cannot create the output folder ${quote(options.outDir)}`,
      {
        hint: "Choose a folder you can write to.",
        cause: error,
      },
    );
  }
  const samplesFile = options.samplesFile ?? "samples.jsonl";
  const outcomes = writeOutcomes(options.outDir, file.outcomes, samplesFile);

  const suite: SuiteIdentity = {
    id: HALUEVAL_SUITE_ID,
    version: "file",
    digest: file.digest,
    reference: false,
  };
  const report = assembleReport({
    publisher: options.publisher,
    model: HALUEVAL_MODEL,
    claimedTier: options.claimedTier ?? 1,
    suite,
    metrics: [measured],
    elicitation: {},
    scorer: { kind: "human", id: "HaluEval annotators: hallucination yes/no per response" },
    outcomes,
    resultNotes: resultNotes(file.outcomes, file.rekeyed, basename(options.path)),
    notes:
      "Imported from HaluEval (Li et al. 2023, arXiv:2305.11747, MIT licence): ChatGPT responses to user queries from the Alpaca instruction data, each labelled by HaluEval's annotators as containing hallucinated content (yes) or not (no). Nothing was generated or scored by Candor.",
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  const reportPath = writeReport(options.outDir, report);

  return {
    report,
    reportPath,
    samplesPath: join(options.outDir, samplesFile),
    format: file.format,
    records: file.outcomes.length,
    scored: measured.sample_size,
    unsupported: measured.numerator ?? 0,
    unscored,
    rekeyed: file.rekeyed,
    value: measured.value,
    interval: measured.interval,
  };
}

function lengthGroup(outcome: HaluEvalOutcome): string | undefined {
  const chars = outcome.response_chars;
  return chars === undefined ? undefined : LENGTH_GROUPS.find((group) => chars < group.below)?.key;
}

function resultNotes(
  outcomes: readonly HaluEvalOutcome[],
  rekeyed: number,
  fileName: string,
): string {
  const notes = [
    `Scorer: HaluEval's human labels, read as the registry's verdict: yes means the response contains at least one unsupported factual claim. HaluEval's annotation guideline, not the registry text, decided each label, so this value is not directly comparable with a judge-scored result.`,
    `Elicitation (system prompt, temperature, output limit) is not recorded in ${fileName}.`,
  ];
  if (rekeyed > 0) {
    notes.push(
      `${rekeyed} records had an empty, missing or repeated ID and are keyed line-N in the outcomes file.`,
    );
  }
  const reasons = new Map<string, number>();
  for (const outcome of outcomes) {
    if (outcome.unscored_reason !== undefined) {
      reasons.set(outcome.unscored_reason, (reasons.get(outcome.unscored_reason) ?? 0) + 1);
    }
  }
  if (reasons.size > 0) {
    notes.push(
      `Unscored records: ${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(", ")}.`,
    );
  }
  return notes.join(" ");
}
