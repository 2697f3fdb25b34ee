import { formatValue, StatsError } from "./errors.js";
import { clip, DEFAULT_LEVEL } from "./interval.js";
import { type McNemarExact, mcnemarExact } from "./mcnemar.js";
import { normalCriticalValue } from "./normal.js";
import { tangoInterval } from "./tango.js";
import { assertCount, assertLevel, assertMinimumLength } from "./validate.js";
import { wilsonInterval } from "./wilson.js";

/** Counts of a paired 2×2 table of binary outcomes. */
export interface PairedTable {
  /** Both outcomes are 1. */
  readonly both: number;
  /** First is 1, second is 0. */
  readonly firstOnly: number;
  /** First is 0, second is 1. */
  readonly secondOnly: number;
  /** Both outcomes are 0. */
  readonly neither: number;
}

/** Interval formula of a paired difference of proportions. */
export type PairedIntervalFormula = "tango" | "newcombe";

export interface PairedProportionOptions {
  /** Confidence level of the interval, 0.95 when unset. */
  readonly level?: number;
  /** Interval formula: tango (the default) for Tango's score interval, newcombe for Newcombe's method 10. */
  readonly interval?: PairedIntervalFormula;
}

/** A difference of two proportions measured on the same units. */
export interface PairedProportionDifference {
  /** p1 − p2 = (firstOnly − secondOnly) / n. */
  readonly difference: number;
  readonly p1: number;
  readonly p2: number;
  /** Number of pairs. */
  readonly n: number;
  readonly table: PairedTable;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  /** Interval method as a report names it: tango for Tango's score interval, paired for Newcombe's method 10. */
  readonly method: "paired" | "tango";
  readonly intervalFormula: PairedIntervalFormula;
  /** McNemar's exact test of p1 = p2, with its mid-p variant. */
  readonly test: McNemarExact;
}

/**
 * Computes p1 − p2 for binary outcomes paired on the same units (for example
 * one item answered under two framings), with a score interval and McNemar's
 * exact test. Each pair is [first, second] with outcomes 0 or 1.
 *
 * The default interval is Tango's score interval (see tangoInterval).
 * Newcombe's method 10 for paired data (Statistics in Medicine 17, 1998,
 * 2635–2650) is available as `interval: "newcombe"`. It is closed-form, but it
 * collapses to the single point 0 when there are no discordant pairs, because
 * its correlation term φ is then 1. Tango's interval is ±z² / (n + z²) there,
 * the Wilson bound for 0 successes out of n.
 */
export function pairedProportionDifference(
  pairs: readonly (readonly [number, number])[],
  options: PairedProportionOptions = {},
): PairedProportionDifference {
  assertLevel(options.level ?? DEFAULT_LEVEL);
  assertMinimumLength("pairs", pairs.length, 1);

  let both = 0;
  let firstOnly = 0;
  let secondOnly = 0;
  let neither = 0;
  pairs.forEach((pair, index) => {
    for (const position of [0, 1] as const) {
      const outcome = pair[position];
      if (outcome !== 0 && outcome !== 1) {
        throw new StatsError(
          "invalid_value",
          `pairs[${index}][${position}]`,
          outcome,
          `pairs[${index}][${position}] must be 0 or 1, received ${formatValue(outcome)}`,
          "Use pairedMeanDifference or pairedBootstrap for outcomes that are not binary.",
        );
      }
    }
    if (pair[0] === 1) {
      if (pair[1] === 1) {
        both += 1;
      } else {
        firstOnly += 1;
      }
    } else if (pair[1] === 1) {
      secondOnly += 1;
    } else {
      neither += 1;
    }
  });

  return pairedProportionFromTable({ both, firstOnly, secondOnly, neither }, options);
}

/** Computes the result of pairedProportionDifference from the counts of the paired table. */
export function pairedProportionFromTable(
  table: PairedTable,
  options: PairedProportionOptions = {},
): PairedProportionDifference {
  const level = options.level ?? DEFAULT_LEVEL;
  const formula = options.interval ?? "tango";
  assertLevel(level);
  if (formula !== "tango" && formula !== "newcombe") {
    throw new StatsError(
      "invalid_option",
      "interval",
      formula,
      `interval must be "tango" or "newcombe", received ${formatValue(formula)}`,
    );
  }
  const { both, firstOnly, secondOnly, neither } = table;
  for (const [name, count] of Object.entries(table)) {
    assertCount(`table.${name}`, count);
  }
  const n = both + firstOnly + secondOnly + neither;
  assertMinimumLength("table", n, 1);

  const p1 = (both + firstOnly) / n;
  const p2 = (both + secondOnly) / n;
  const difference = (firstOnly - secondOnly) / n;
  const bounds =
    formula === "tango"
      ? tangoInterval(table, normalCriticalValue(level))
      : newcombePairedInterval(table, level);

  return {
    difference,
    p1,
    p2,
    n,
    table: { both, firstOnly, secondOnly, neither },
    lower: clip(bounds.lower, [-1, 1]),
    upper: clip(bounds.upper, [-1, 1]),
    level,
    method: formula === "tango" ? "tango" : "paired",
    intervalFormula: formula,
    test: mcnemarExact(firstOnly, secondOnly),
  };
}

/**
 * Computes Newcombe's method 10 interval for paired data (Newcombe 1998,
 * Statistics in Medicine 17, 2635–2650). It combines the Wilson intervals
 * (l1, u1) of p1 and (l2, u2) of p2 and corrects for the correlation of the
 * two margins with
 *
 *   φ = (both · neither − firstOnly · secondOnly) / sqrt(r1 · r0 · c1 · c0),
 *
 * the phi coefficient of the table with margins r1 = both + firstOnly,
 * r0 = secondOnly + neither, c1 = both + secondOnly, c0 = firstOnly + neither,
 * set to 0 when any margin is 0. Then, with d = p1 − p2,
 *
 *   lower = d − sqrt((p1 − l1)² − 2φ(p1 − l1)(u2 − p2) + (u2 − p2)²)
 *   upper = d + sqrt((u1 − p1)² − 2φ(u1 − p1)(p2 − l2) + (p2 − l2)²)
 *
 * This is the version without continuity correction on φ.
 */
function newcombePairedInterval(
  table: PairedTable,
  level: number,
): { lower: number; upper: number } {
  const { both, firstOnly, secondOnly, neither } = table;
  const n = both + firstOnly + secondOnly + neither;
  const firstSuccesses = both + firstOnly;
  const secondSuccesses = both + secondOnly;
  const first = wilsonInterval(firstSuccesses, n, level);
  const second = wilsonInterval(secondSuccesses, n, level);
  const p1 = firstSuccesses / n;
  const p2 = secondSuccesses / n;
  const difference = p1 - p2;

  const marginProduct =
    firstSuccesses * (secondOnly + neither) * secondSuccesses * (firstOnly + neither);
  const phi =
    marginProduct === 0 ? 0 : (both * neither - firstOnly * secondOnly) / Math.sqrt(marginProduct);

  const lowerFirst = p1 - first.lower;
  const upperSecond = second.upper - p2;
  const upperFirst = first.upper - p1;
  const lowerSecond = p2 - second.lower;
  // Rounding can push the sums a few ulps below 0 when φ is ±1.
  const lowerDistance = Math.sqrt(
    Math.max(0, lowerFirst ** 2 - 2 * phi * lowerFirst * upperSecond + upperSecond ** 2),
  );
  const upperDistance = Math.sqrt(
    Math.max(0, upperFirst ** 2 - 2 * phi * upperFirst * lowerSecond + lowerSecond ** 2),
  );
  return { lower: difference - lowerDistance, upper: difference + upperDistance };
}
