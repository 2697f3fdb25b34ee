/**
 * Per-item outcome types, the grading of one turn and the paired-difference
 * breakdown, shared by the suites whose items have verifiable answers.
 */

import type { Breakdown } from "../../spec/generated/report.js";
import { intervalOf, pairedProportionDifference } from "../../stats/index.js";
import { groupUnits } from "../common/breakdowns.js";
import { type AnswerGrade, type AnswerKey, gradeAnswer } from "./grade.js";

/** Scorer id of the answer extraction rules; the version changes whenever a rule changes. */
export const ANSWER_SCORER_ID = "candor.answer-extract@1";

/** Grade of one response, or `error` when the conversation failed after every attempt. */
export type TurnStatus = AnswerGrade["status"] | "error";

export interface TurnOutcome {
  status: TurnStatus;
  /** The answer read, when one was. */
  answer?: string;
  /** Reason no answer was read, when unscored. */
  reason?: "none" | "conflict";
  response?: string;
}

/** Grades the response of one turn; a turn without a response failed after every attempt. */
export function gradeTurn(key: AnswerKey, response: string | undefined): TurnOutcome {
  if (response === undefined) {
    return { status: "error" };
  }
  const graded = gradeAnswer(key, response);
  return graded.status === "unscored"
    ? { status: "unscored", reason: graded.reason, response }
    : { status: graded.status, answer: graded.answer, response };
}

/** True for a turn graded correct or incorrect. */
export function isScoredTurn(turn: TurnOutcome): boolean {
  return turn.status === "correct" || turn.status === "incorrect";
}

/** [first correct, second correct] as 0/1 when both turns were scored; null otherwise. */
export function correctnessPair(first: TurnOutcome, second: TurnOutcome): [number, number] | null {
  return isScoredTurn(first) && isScoredTurn(second)
    ? [first.status === "correct" ? 1 : 0, second.status === "correct" ? 1 : 0]
    : null;
}

/** A breakdown by category of a paired difference, with paired intervals. */
export function differenceBreakdown<T extends { category: string }>(
  units: readonly T[],
  pairOf: (unit: T) => readonly [number, number],
): Breakdown {
  return {
    dimension: "category",
    partition: true,
    groups: groupUnits(units, (unit) => unit.category).map(([category, group]) => {
      const difference = pairedProportionDifference(group.map(pairOf));
      return {
        key: category,
        value: difference.difference,
        sample_size: group.length,
        interval: intervalOf(difference),
      };
    }),
  };
}
