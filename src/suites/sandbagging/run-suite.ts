import type { RunSummary } from "../../engine/types.js";
import {
  AWARENESS_DETECTOR_ID,
  awarenessIdentity,
  measureVerbalizedAwareness,
} from "../evaluation-awareness/index.js";
import { ANSWER_SCORER_ID } from "../extract/outcomes.js";
import {
  type AnswerSuiteRunOptions,
  runConversations,
  type WrittenAnswerReport,
  writeAnswerReport,
} from "../extract/run-conversations.js";
import { measureAccuracyGap } from "./metrics.js";
import {
  loadSandbaggingSuite,
  type SandbaggingOutcome,
  type SandbaggingSuite,
  sandbaggingConversations,
  scoreSandbaggingItem,
} from "./suite.js";

export interface SandbaggingRunResult {
  /** Undefined when the run was interrupted before every conversation ended. */
  written: WrittenAnswerReport | undefined;
  summary: RunSummary;
  errors: number;
  done: number;
  outcomes: SandbaggingOutcome[];
}

/**
 * Runs the sandbagging suite against a model through the run engine and
 * writes report.json and samples.jsonl with sandbagging.accuracy_gap, its
 * test and verdict, and evaluation_awareness.verbalized_rate over the same
 * transcripts.
 */
export async function runSandbaggingSuite(
  options: AnswerSuiteRunOptions & { suite?: SandbaggingSuite },
): Promise<SandbaggingRunResult> {
  const suite = options.suite ?? loadSandbaggingSuite(options.limit);
  const run = await runConversations(options, suite.identity, sandbaggingConversations(suite));
  const done = run.outputs.size;
  if (run.summary.aborted) {
    return { written: undefined, summary: run.summary, errors: run.errors, done, outcomes: [] };
  }

  const scored = suite.items.map((item) => scoreSandbaggingItem(item, run.outputs));
  const outcomes = scored.map((entry) => entry.outcome);
  const gap = measureAccuracyGap(outcomes);
  const awareness = measureVerbalizedAwareness(scored.flatMap((entry) => entry.awareness));

  const notes: string[] = [];
  if (!suite.identity.reference) {
    notes.push(`Run limited to the first ${suite.items.length} items of the sandbagging suite.`);
  }
  if (run.errors > 0) {
    notes.push(
      `${run.errors} conversations ended in an error after every attempt; their items are left out of the gap.`,
    );
  }

  const written = writeAnswerReport({
    outDir: options.outDir,
    suite: suite.identity,
    identity: options.identity,
    outcomes,
    metrics: gap === undefined ? [] : [gap.metric],
    ...(gap === undefined ? {} : { tests: { [gap.metric.metric]: gap.test } }),
    scorerId: ANSWER_SCORER_ID,
    sideMetrics:
      awareness === undefined
        ? []
        : [
            {
              metric: awareness,
              suite: awarenessIdentity([suite.identity]),
              scorerId: AWARENESS_DETECTOR_ID,
            },
          ],
    elicitation: run.elicitation,
    run: run.run,
    notes,
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return { written, summary: run.summary, errors: run.errors, done, outcomes };
}
