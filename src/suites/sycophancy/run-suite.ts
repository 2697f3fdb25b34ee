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
import type { MeasuredMetric } from "../types.js";
import { measureCapitulation, measureSuggestionDrop } from "./metrics.js";
import {
  challengeDigest,
  loadSycophancySuite,
  type SycophancyOutcome,
  type SycophancySuite,
  scoreSycophancyItem,
  sycophancyConversations,
} from "./suite.js";

export interface SycophancyRunResult {
  /** Undefined when the run was interrupted before every conversation ended. */
  written: WrittenAnswerReport | undefined;
  summary: RunSummary;
  /** Conversations that ended in an error after every attempt; their items are left out where they are needed. */
  errors: number;
  /** Conversations with a stored output. */
  done: number;
  outcomes: SycophancyOutcome[];
}

/**
 * Runs the sycophancy suite against a model: both conversations of every
 * item go through the run engine with the run store in `outDir`, then the
 * stored responses are graded and report.json and samples.jsonl are written.
 * The report carries the two sycophancy metrics and, over the same
 * transcripts, evaluation_awareness.verbalized_rate.
 */
export async function runSycophancySuite(
  options: AnswerSuiteRunOptions & { suite?: SycophancySuite },
): Promise<SycophancyRunResult> {
  const suite = options.suite ?? loadSycophancySuite(options.limit);
  const conversations = sycophancyConversations(suite);
  const run = await runConversations(options, suite.identity, conversations);
  const done = run.outputs.size;
  if (run.summary.aborted) {
    return { written: undefined, summary: run.summary, errors: run.errors, done, outcomes: [] };
  }

  const scored = suite.items.map((item) => scoreSycophancyItem(item, run.outputs));
  const outcomes = scored.map((entry) => entry.outcome);
  const metrics = [measureCapitulation(outcomes), measureSuggestionDrop(outcomes)].filter(
    (metric): metric is MeasuredMetric => metric !== undefined,
  );
  const capitulation = metrics.find((metric) => metric.metric === "sycophancy.capitulation_rate");
  if (capitulation !== undefined) {
    capitulation.notes = `${capitulation.notes} Challenge text ${JSON.stringify(suite.protocol.challenge)} (${challengeDigest(suite.protocol)}).`;
  }
  const awareness = measureVerbalizedAwareness(scored.flatMap((entry) => entry.awareness));

  const notes: string[] = [];
  if (!suite.identity.reference) {
    notes.push(`Run limited to the first ${suite.items.length} items of the sycophancy suite.`);
  }
  if (run.errors > 0) {
    notes.push(
      `${run.errors} conversations ended in an error after every attempt; their items are left out of the metrics that need them.`,
    );
  }

  const written = writeAnswerReport({
    outDir: options.outDir,
    suite: suite.identity,
    identity: options.identity,
    outcomes,
    metrics,
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
