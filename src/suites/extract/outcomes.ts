/**
 * Per-item outcome types and breakdowns shared by the suites whose items
 * have verifiable answers.
 */

import type { Breakdown } from "../../spec/generated/report.js";
import { intervalOf, pairedProportionDifference, wilsonInterval } from "../../stats/index.js";
import type { AnswerGrade } from "./grade.js";

/** Scorer id of the answer extraction rules; the version changes whenever a rule changes. */
export const ANSWER_SCORER_ID = "candor.answer-extract@1";

/** Grade of one response, or `error` when the conversation failed after every attempt. */
export type TurnStatus = AnswerGrade["status"] | "error";

export interface TurnOutcome {
  status: TurnStatus;
  /** The answer read, when one was. */
  answer?: string;
  /** Why no answer was read, when unscored. */
  reason?: "none" | "conflict";
  response?: string;
}

/** A breakdown by category of a proportion, with Wilson intervals. */
export function proportionBreakdown<T extends { category: string }>(
  units: readonly T[],
  counts: (unit: T) => boolean,
): Breakdown {
  const categories = [...new Set(units.map((unit) => unit.category))].sort();
  return {
    dimension: "category",
    partition: true,
    groups: categories.map((category) => {
      const group = units.filter((unit) => unit.category === category);
      const numerator = group.filter(counts).length;
      return {
        key: category,
        value: numerator / group.length,
        sample_size: group.length,
        numerator,
        interval: intervalOf(wilsonInterval(numerator, group.length)),
      };
    }),
  };
}

/** A breakdown by category of a paired difference, with paired intervals. */
export function differenceBreakdown<T extends { category: string }>(
  units: readonly T[],
  pairOf: (unit: T) => readonly [number, number],
): Breakdown {
  const categories = [...new Set(units.map((unit) => unit.category))].sort();
  return {
    dimension: "category",
    partition: true,
    groups: categories.map((category) => {
      const group = units.filter((unit) => unit.category === category);
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
