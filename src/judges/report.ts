import { join } from "node:path";
import { assembleReport, writeOutcomes, writeReport } from "../report/assemble.js";
import type {
  Elicitation,
  Model,
  Publisher,
  Report,
  Result,
  RunInfo,
  Scorer,
} from "../spec/generated/report.js";
import type { Registry } from "../spec/registry.js";
import { createOutputFolder } from "../suites/common/output-folder.js";
import type { MeasuredMetric, SuiteIdentity, SuiteItem } from "../suites/types.js";
import type { JudgedOutcomeFields } from "./judge.js";
import type { JudgedSuiteRun } from "./run-judged.js";
import type { JudgedSuite, OmittedMetric } from "./suite.js";

/** A measured metric whose units fall into fewer clusters than units (policy clauses, for example). */
export interface ClusteredMetric extends MeasuredMetric {
  /** Independent clusters behind the interval; sample_size when unset. */
  clusters?: number;
}

/** One item set of a report with its scorer, outcomes and the metrics measured on it. */
export interface ReportPart {
  suite: SuiteIdentity;
  metrics: readonly ClusteredMetric[];
  /** Metrics left out though measured, each becoming not_evaluated with its reason as the note. */
  omitted?: readonly OmittedMetric[];
  scorer: Scorer;
  elicitation: Elicitation;
  /** Per-item outcomes, written as JSON Lines to `outcomesFile` beside the report. */
  outcomes: readonly unknown[];
  outcomesFile: string;
  /** Notes added to every result of this part. */
  resultNotes?: string;
}

export interface WritePartsReportInput {
  outDir: string;
  parts: readonly ReportPart[];
  publisher: Publisher;
  model: Model;
  claimedTier: number;
  run?: RunInfo;
  notes?: string;
  registry?: Registry;
}

export interface WrittenPartsReport {
  report: Report;
  reportPath: string;
  /** Paths of the outcomes files, in the order of the parts. */
  outcomesPaths: string[];
}

/**
 * Writes each part's outcomes file and one report.json holding every
 * part's results, into `outDir`. Each part's results carry that part's
 * suite identity, scorer and outcomes file, so a report may combine item
 * sets scored by different judges. Every stable metric of the claimed tier
 * that no part measured becomes not_evaluated, as assembleReport does.
 */
export function writePartsReport(input: WritePartsReportInput): WrittenPartsReport {
  createOutputFolder(input.outDir);

  const created = new Date();
  const reported: Result[] = [];
  const unmeasured = new Map<string, Result>();
  const outcomesPaths: string[] = [];
  let base: Report | undefined;

  for (const part of input.parts) {
    const outcomes = writeOutcomes(input.outDir, part.outcomes, part.outcomesFile);
    outcomesPaths.push(join(input.outDir, part.outcomesFile));
    const assembled = assembleReport({
      publisher: input.publisher,
      model: input.model,
      claimedTier: input.claimedTier,
      suite: part.suite,
      metrics: part.metrics,
      elicitation: part.elicitation,
      scorer: part.scorer,
      outcomes,
      created,
      ...(input.run === undefined ? {} : { run: input.run }),
      ...(part.resultNotes === undefined ? {} : { resultNotes: part.resultNotes }),
      ...(input.notes === undefined ? {} : { notes: input.notes }),
      ...(input.registry === undefined ? {} : { registry: input.registry }),
    });
    base ??= assembled;

    for (const result of assembled.results) {
      if (result.status !== "reported") {
        unmeasured.set(result.metric, unmeasured.get(result.metric) ?? result);
        continue;
      }
      const measured = part.metrics.find((metric) => metric.metric === result.metric);
      if (measured?.clusters !== undefined) {
        result.clusters = measured.clusters;
      }
      reported.push(result);
    }
    for (const omitted of part.omitted ?? []) {
      unmeasured.set(omitted.metric, {
        metric: omitted.metric,
        metric_version: omitted.metric_version,
        status: "not_evaluated",
        notes: omitted.note,
      });
    }
  }
  if (base === undefined) {
    throw new TypeError("writePartsReport needs at least one part");
  }

  // A metric that one part measured is reported once and never also listed as not evaluated.
  const measuredIds = new Set(reported.map((result) => result.metric));
  const missing = [...unmeasured.values()].filter((result) => !measuredIds.has(result.metric));

  const report: Report = { ...base, results: [...reported, ...missing] };
  const reportPath = writeReport(input.outDir, report);
  return { report, reportPath, outcomesPaths };
}

/**
 * The report part of one judged suite run: its metrics, the metrics it
 * measured no value for with the reason, its judge as the scorer, and notes
 * counting items without a response and responses without a judge reply.
 */
export function reportPartFromRun<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
>(
  suite: JudgedSuite<Item, Outcome, V>,
  run: JudgedSuiteRun<Outcome>,
  outcomesFile: string,
): ReportPart {
  const notes: string[] = [];
  if (run.modelErrors > 0) {
    notes.push(
      `${run.modelErrors} items got no response from the model after every attempt and are in no count.`,
    );
  }
  if (run.judgeErrors > 0) {
    notes.push(
      `${run.judgeErrors} responses are unscored because every judge request for them failed.`,
    );
  }
  const omitted = suite.explainOmitted?.(run.outcomes) ?? [];
  return {
    suite: suite.identity,
    metrics: suite.aggregate(run.outcomes),
    ...(omitted.length === 0 ? {} : { omitted }),
    scorer: suite.describeScorer(run.outcomes),
    elicitation: run.elicitation,
    outcomes: run.outcomes,
    outcomesFile,
    ...(notes.length === 0 ? {} : { resultNotes: notes.join(" ") }),
  };
}
