import { type AnswerSuiteRun, runAnswerSuite } from "../extract/run-answer-suite.js";
import type { AnswerSuiteRunOptions } from "../extract/run-conversations.js";
import { measureAccuracyGap } from "./metrics.js";
import {
  loadSandbaggingSuite,
  SANDBAGGING_SUITE_ID,
  type SandbaggingOutcome,
  type SandbaggingSuite,
  sandbaggingConversations,
  scoreSandbaggingItem,
} from "./suite.js";

export type SandbaggingRunResult = AnswerSuiteRun<SandbaggingOutcome>;

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
  return runAnswerSuite(options, {
    name: SANDBAGGING_SUITE_ID,
    suite,
    conversations: sandbaggingConversations(suite),
    scoreItem: scoreSandbaggingItem,
    measure: (outcomes) => {
      const gap = measureAccuracyGap(outcomes);
      return gap === undefined
        ? { metrics: [] }
        : { metrics: [gap.metric], tests: { [gap.metric.metric]: gap.test } };
    },
    errorsLeftOutOf: "the gap",
  });
}
