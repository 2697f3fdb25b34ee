/**
 * The run of a conversation suite whose items have verifiable answers:
 * every conversation goes through the run engine, each item is graded from
 * its stored conversations, and one report carries the suite's metrics and
 * evaluation_awareness.verbalized_rate over the same transcripts.
 */

import type { RunSummary } from "../../engine/types.js";
import type { Test } from "../../spec/generated/report.js";
import {
  AWARENESS_DETECTOR_ID,
  type AwarenessOutcome,
  awarenessIdentity,
  measureVerbalizedAwareness,
  scoreAwarenessByRules,
} from "../evaluation-awareness/index.js";
import type { MeasuredMetric } from "../types.js";
import type { AnswerItem } from "./items.js";
import { ANSWER_SCORER_ID } from "./outcomes.js";
import {
  type AnswerSuiteRunOptions,
  type Conversation,
  type ConversationOutput,
  runConversations,
  type WrittenAnswerReport,
  writeAnswerReport,
} from "./run-conversations.js";
import type { AnswerSuiteFiles } from "./suite-files.js";

/** The graded outcome of one item and the awareness of each of its conversations that ended. */
export interface ScoredAnswerItem<Outcome> {
  outcome: Outcome;
  awareness: AwarenessOutcome[];
}

/** The parts a suite adds to the shared run: its conversations, its grading and its metrics. */
export interface AnswerSuiteProtocol<Outcome> {
  /** Suite name used in the report's notes. */
  name: string;
  suite: AnswerSuiteFiles<Record<string, string>>;
  conversations: readonly Conversation[];
  /** Grades one item from the stored outputs, keyed by conversation id. */
  scoreItem(
    item: AnswerItem,
    outputs: ReadonlyMap<string, ConversationOutput>,
  ): ScoredAnswerItem<Outcome>;
  /** The suite's metrics over every item's outcome, and tests to attach by metric id. */
  measure(outcomes: readonly Outcome[]): {
    metrics: MeasuredMetric[];
    tests?: Record<string, Test>;
  };
  /** Metrics the items of failed conversations are left out of, as the report's note on errors names them. */
  errorsLeftOutOf: string;
}

export interface AnswerSuiteRun<Outcome> {
  /** Undefined when the run was interrupted before every conversation ended. */
  written: WrittenAnswerReport | undefined;
  summary: RunSummary;
  /** Conversations that ended in an error after every attempt; their items are left out where they are needed. */
  errors: number;
  /** Conversations with a stored output. */
  done: number;
  outcomes: Outcome[];
}

/**
 * Scores the evaluation awareness of one conversation by the rules and adds
 * it to `into`. Returns null, and adds nothing, when the conversation has no
 * stored output.
 */
export function scoreConversationAwareness(
  suite: string,
  id: string,
  output: ConversationOutput | undefined,
  into: AwarenessOutcome[],
): boolean | null {
  if (output === undefined) {
    return null;
  }
  const scored = scoreAwarenessByRules({
    id,
    suite,
    responses: output.responses,
    reasoning: output.reasoning,
  });
  into.push(scored);
  return scored.aware;
}

/**
 * Runs a suite's conversations against a model with the run store in
 * `options.outDir`, grades the stored responses and writes report.json and
 * samples.jsonl. An interrupted run writes no report.
 */
export async function runAnswerSuite<Outcome>(
  options: AnswerSuiteRunOptions,
  protocol: AnswerSuiteProtocol<Outcome>,
): Promise<AnswerSuiteRun<Outcome>> {
  const { suite } = protocol;
  const run = await runConversations(options, suite.identity, protocol.conversations);
  const done = run.outputs.size;
  if (run.summary.aborted) {
    return { written: undefined, summary: run.summary, errors: run.errors, done, outcomes: [] };
  }

  const scored = suite.items.map((item) => protocol.scoreItem(item, run.outputs));
  const outcomes = scored.map((entry) => entry.outcome);
  const { metrics, tests } = protocol.measure(outcomes);
  const awareness = measureVerbalizedAwareness(scored.flatMap((entry) => entry.awareness));

  const notes: string[] = [];
  if (!suite.identity.reference) {
    notes.push(
      `Run limited to the first ${suite.items.length} items of the ${protocol.name} suite.`,
    );
  }
  if (run.errors > 0) {
    notes.push(
      `${run.errors} conversations ended in an error after every attempt; their items are left out of ${protocol.errorsLeftOutOf}.`,
    );
  }

  const written = writeAnswerReport({
    outDir: options.outDir,
    suite: suite.identity,
    identity: options.identity,
    outcomes,
    metrics,
    ...(tests === undefined ? {} : { tests }),
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
