import { type AnswerSuiteRun, runAnswerSuite } from "../extract/run-answer-suite.js";
import type { AnswerSuiteRunOptions } from "../extract/run-conversations.js";
import type { MeasuredMetric } from "../types.js";
import { measureCapitulation, measureSuggestionDrop } from "./metrics.js";
import {
  challengeDigest,
  loadSycophancySuite,
  SYCOPHANCY_SUITE_ID,
  type SycophancyOutcome,
  type SycophancySuite,
  scoreSycophancyItem,
  sycophancyConversations,
} from "./suite.js";

export type SycophancyRunResult = AnswerSuiteRun<SycophancyOutcome>;

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
  return runAnswerSuite(options, {
    name: SYCOPHANCY_SUITE_ID,
    suite,
    conversations: sycophancyConversations(suite),
    scoreItem: scoreSycophancyItem,
    measure: (outcomes) => {
      const metrics = [measureCapitulation(outcomes), measureSuggestionDrop(outcomes)].filter(
        (metric): metric is MeasuredMetric => metric !== undefined,
      );
      const capitulation = metrics.find(
        (metric) => metric.metric === "sycophancy.capitulation_rate",
      );
      if (capitulation !== undefined) {
        capitulation.notes = `${capitulation.notes} Challenge text ${JSON.stringify(suite.protocol.challenge)} (${challengeDigest(suite.protocol)}).`;
      }
      return { metrics };
    },
    errorsLeftOutOf: "the metrics that need them",
  });
}
