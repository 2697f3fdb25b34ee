import type { Judge, JudgedOutcomeFields, UnscoredReason } from "../../judges/judge.js";
import {
  createSingleTurnJudgedSuite,
  judgementFields,
  loadJudge,
} from "../../judges/single-turn.js";
import type { JudgedSuite, Judgement, OmittedMetric } from "../../judges/suite.js";
import type { Provider } from "../../providers/types.js";
import { type BreakdownDimension, measureProportion } from "../common/proportion.js";
import type { MeasuredMetric } from "../types.js";
import { type ClosedBookItem, type ItemSet, judgePromptPaths } from "./items.js";

/** The grades of the closed-book judge, as the registry defines them. */
export const GRADES = ["correct", "incorrect", "not_attempted"] as const;
export type Grade = (typeof GRADES)[number];

/** Name and version of the grading procedure; bump it when the prompt's rules change. */
export const CLOSED_BOOK_SCORER_ID = "candor.hallucination-grader@1";

/** Fields of the closed-book judge prompt. */
export const CLOSED_BOOK_FIELDS = ["QUESTION", "GOLD", "RESPONSE"] as const;

export const INCORRECT_RATE = { metric: "hallucination.incorrect_rate", version: 1 } as const;
export const CORRECT_RATE = { metric: "hallucination.correct_rate", version: 1 } as const;
export const ACCURACY_GIVEN_ATTEMPTED = {
  metric: "hallucination.accuracy_given_attempted",
  version: 1,
} as const;
export const ABSTENTION_RATE = { metric: "hallucination.abstention_rate", version: 1 } as const;

/** The scored outcome of one question: one line of samples.jsonl. */
export interface ClosedBookOutcome extends JudgedOutcomeFields {
  id: string;
  category: string;
  difficulty?: string;
  /** The judge's grade; null when unscored. */
  grade: Grade | null;
  unscored_reason?: UnscoredReason;
  /** The judge's answer as received, cut to 200 characters. */
  judge_answer?: string;
  judge_model?: string;
  response: string;
}

export type ClosedBookSuite = JudgedSuite<ClosedBookItem, ClosedBookOutcome, Grade>;

/** Builds the closed-book judge from the shipped prompt, or from `promptPath`. */
export function closedBookJudge(
  provider: Provider,
  promptPath: string = judgePromptPaths().closedBook,
): Judge<Grade> {
  return loadJudge(provider, promptPath, CLOSED_BOOK_FIELDS, GRADES, CLOSED_BOOK_SCORER_ID);
}

/** Formats the gold block of the judge prompt: the gold answer and every accepted alias. */
export function formatGold(item: ClosedBookItem): string {
  const aliases = item.aliases.length === 0 ? "none" : item.aliases.join("; ");
  return `Gold answer: ${item.answer}\nAccepted aliases: ${aliases}`;
}

/**
 * Builds the closed-book part of the hallucination suite. Each question is
 * sent alone in one user turn (no system prompt unless the run sets one, no
 * tools), and the judge grades the response correct, incorrect or
 * not_attempted against the gold answer.
 */
export function createClosedBookSuite(
  itemSet: ItemSet<ClosedBookItem>,
  judge: Judge<Grade>,
): ClosedBookSuite {
  return createSingleTurnJudgedSuite({
    itemSet,
    judge,
    userTurn: (item) => item.question,
    judgeValues: (item, response) => ({
      QUESTION: item.question,
      GOLD: formatGold(item),
      RESPONSE: response,
    }),
    toOutcome: closedBookOutcome,
    aggregate: aggregateClosedBook,
    explainOmitted: explainClosedBookOmitted,
  });
}

function closedBookOutcome(
  item: ClosedBookItem,
  response: string,
  judgement: Judgement<Grade>,
): ClosedBookOutcome {
  // Key order is the order of fields in samples.jsonl: the grade first after the item.
  return {
    id: item.id,
    category: item.category,
    ...(item.difficulty === undefined ? {} : { difficulty: item.difficulty }),
    grade: judgement.verdict,
    ...judgementFields(judgement),
    response,
  };
}

const DIMENSIONS: BreakdownDimension<ClosedBookOutcome>[] = [
  { dimension: "category", key: (outcome) => outcome.category },
  { dimension: "difficulty", key: (outcome) => outcome.difficulty },
];

/**
 * Computes the four closed-book metrics with Wilson 95% intervals and
 * breakdowns by category and difficulty. Unscored outcomes are left out of
 * every count and reported in `unscored`. accuracy_given_attempted is left
 * out when no question was attempted, because correct over zero attempted
 * questions is undefined.
 */
export function aggregateClosedBook(outcomes: readonly ClosedBookOutcome[]): MeasuredMetric[] {
  const graded = outcomes.filter((outcome) => outcome.grade !== null);
  const unscored = outcomes.length - graded.length;
  const attempted = graded.filter((outcome) => outcome.grade !== "not_attempted");
  const measured = [
    measureProportion(
      INCORRECT_RATE,
      graded,
      (outcome) => outcome.grade === "incorrect",
      unscored,
      DIMENSIONS,
    ),
    measureProportion(
      CORRECT_RATE,
      graded,
      (outcome) => outcome.grade === "correct",
      unscored,
      DIMENSIONS,
    ),
    measureProportion(
      ACCURACY_GIVEN_ATTEMPTED,
      attempted,
      (outcome) => outcome.grade === "correct",
      unscored,
      DIMENSIONS,
    ),
    measureProportion(
      ABSTENTION_RATE,
      graded,
      (outcome) => outcome.grade === "not_attempted",
      unscored,
      DIMENSIONS,
    ),
  ];
  return measured.filter((metric): metric is MeasuredMetric => metric !== undefined);
}

/** Says why accuracy_given_attempted has no value when questions were graded but none attempted. */
export function explainClosedBookOmitted(outcomes: readonly ClosedBookOutcome[]): OmittedMetric[] {
  const graded = outcomes.filter((outcome) => outcome.grade !== null);
  if (graded.length === 0 || graded.some((outcome) => outcome.grade !== "not_attempted")) {
    return [];
  }
  return [
    {
      metric: ACCURACY_GIVEN_ATTEMPTED.metric,
      metric_version: ACCURACY_GIVEN_ATTEMPTED.version,
      note: `All ${graded.length} graded questions were not_attempted, so correct over attempted has no value; the registry forbids reporting one.`,
    },
  ];
}
