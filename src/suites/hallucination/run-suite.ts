import { join } from "node:path";
import type { RunEvent } from "../../engine/index.js";
import {
  type ReportPart,
  reportPartFromRun,
  type WrittenPartsReport,
  writePartsReport,
} from "../../judges/report.js";
import {
  type JudgedReportRunOptions,
  type JudgedSuiteRun,
  runJudgedSuite,
} from "../../judges/run-judged.js";
import type { Provider } from "../../providers/types.js";
import {
  type ClosedBookOutcome,
  type ClosedBookSuite,
  closedBookJudge,
  createClosedBookSuite,
} from "./closed-book.js";
import {
  limitItems,
  loadClosedBookItems,
  loadOpenEndedItems,
  loadSimpleQaDataset,
} from "./items.js";
import {
  createOpenEndedSuite,
  type OpenEndedOutcome,
  type OpenEndedSuite,
  openEndedJudge,
} from "./open-ended.js";

/** The two parts of the hallucination suite. */
export type HallucinationPart = "closed_book" | "open_ended";

export interface HallucinationSuites {
  closedBook: ClosedBookSuite;
  openEnded: OpenEndedSuite;
}

/**
 * Builds both parts with one judge model. With `datasetPath` the
 * closed-book questions come from that SimpleQA-layout CSV instead of the
 * shipped ones, and the open-ended part always uses the shipped requests.
 * With `limit` each part keeps only its first `limit` items.
 */
export function createHallucinationSuites(
  judge: Provider,
  options: { datasetPath?: string; limit?: number } = {},
): HallucinationSuites {
  const closedItems =
    options.datasetPath === undefined
      ? loadClosedBookItems()
      : loadSimpleQaDataset(options.datasetPath);
  return {
    closedBook: createClosedBookSuite(
      limitItems(closedItems, options.limit),
      closedBookJudge(judge),
    ),
    openEnded: createOpenEndedSuite(
      limitItems(loadOpenEndedItems(), options.limit),
      openEndedJudge(judge),
    ),
  };
}

/** Names of the per-item outcomes files, one per part, named after the suite so reports of several suites can share a folder. */
export const OUTCOMES_FILES: Record<HallucinationPart, string> = {
  closed_book: "samples-hallucination.jsonl",
  open_ended: "samples-hallucination-open-ended.jsonl",
};

export interface RunHallucinationOptions extends JudgedReportRunOptions {
  suites: HallucinationSuites;
  /** The parts to run; both when unset. */
  parts?: readonly HallucinationPart[];
  /** Folder of report.json and the outcomes files; run stores go in OUT/runs/hallucination-*. */
  outDir: string;
  onEvent?: (part: HallucinationPart, pass: "model" | "judge", event: RunEvent) => void;
}

export interface HallucinationRun extends Partial<WrittenPartsReport> {
  closedBook?: JudgedSuiteRun<ClosedBookOutcome>;
  openEnded?: JudgedSuiteRun<OpenEndedOutcome>;
  /** True when the signal stopped a pass; no report is written then. */
  aborted: boolean;
}

/**
 * Runs the selected parts against the model under test, judges the
 * responses, and writes one report with every measured hallucination metric
 * and one outcomes file per part. With `resume`, every pass continues the
 * run stored in `outDir`.
 */
export async function runHallucination(
  options: RunHallucinationOptions,
): Promise<HallucinationRun> {
  const parts = options.parts ?? ["closed_book", "open_ended"];
  const common = {
    model: options.model,
    generation: options.generation,
    modelRun: options.modelRun,
    judgeRun: options.judgeRun,
    resume: options.resume,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const events = (part: HallucinationPart) =>
    options.onEvent === undefined
      ? {}
      : {
          onEvent: (pass: "model" | "judge", event: RunEvent) =>
            options.onEvent?.(part, pass, event),
        };

  const result: HallucinationRun = { aborted: false };
  const reportParts: ReportPart[] = [];
  if (parts.includes("closed_book")) {
    const suite = options.suites.closedBook;
    const run = await runJudgedSuite(suite, {
      ...common,
      ...events("closed_book"),
      dir: join(options.outDir, "runs", "hallucination-closed-book"),
    });
    result.closedBook = run;
    result.aborted ||= run.aborted;
    reportParts.push(reportPartFromRun(suite, run, OUTCOMES_FILES.closed_book));
  }
  if (parts.includes("open_ended") && !result.aborted) {
    const suite = options.suites.openEnded;
    const run = await runJudgedSuite(suite, {
      ...common,
      ...events("open_ended"),
      dir: join(options.outDir, "runs", "hallucination-open-ended"),
    });
    result.openEnded = run;
    result.aborted ||= run.aborted;
    reportParts.push(reportPartFromRun(suite, run, OUTCOMES_FILES.open_ended));
  }
  if (result.aborted) {
    return result;
  }

  // The report's run spans both parts: the first part's start, the last part's end, and the sums.
  const runs = [result.closedBook, result.openEnded].filter((run) => run !== undefined);
  const first = runs[0];
  const finished = runs[runs.length - 1]?.run.finished;
  const written = writePartsReport({
    outDir: options.outDir,
    parts: reportParts,
    publisher: options.identity.publisher,
    model: options.identity.model,
    claimedTier: options.identity.claimedTier,
    ...(first === undefined
      ? {}
      : {
          run: {
            ...first.run,
            ...(finished === undefined ? {} : { finished }),
            retries: runs.reduce((sum, run) => sum + (run.run.retries ?? 0), 0),
            errors: runs.reduce((sum, run) => sum + run.modelErrors, 0),
          },
        }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return { ...result, ...written };
}
