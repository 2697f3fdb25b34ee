import { inverseRegularizedBeta } from "./beta.js";
import { DEFAULT_LEVEL, type Interval } from "./interval.js";
import { assertLevel, assertSuccesses } from "./validate.js";

/** A Clopper–Pearson interval for a binomial proportion. */
export interface ClopperPearsonInterval extends Interval {
  readonly method: "exact";
}

/**
 * Computes the Clopper–Pearson "exact" interval (Clopper and Pearson 1934) for
 * `successes` out of `n`: the values of p that neither one-sided binomial test
 * at (1 − level) / 2 rejects. Its coverage is at least `level` for every p,
 * so it is wider than the Wilson interval.
 *
 * The bounds are Beta quantiles: lower = B((1 − level)/2; x, n − x + 1) and
 * upper = B((1 + level)/2; x + 1, n − x), with lower = 0 when x = 0 and
 * upper = 1 when x = n.
 */
export function clopperPearsonInterval(
  successes: number,
  n: number,
  level = DEFAULT_LEVEL,
): ClopperPearsonInterval {
  assertSuccesses(successes, n);
  assertLevel(level);
  const tail = (1 - level) / 2;

  const lower = successes === 0 ? 0 : inverseRegularizedBeta(tail, successes, n - successes + 1);
  const upper =
    successes === n ? 1 : 1 - inverseRegularizedBeta(tail, n - successes, successes + 1);

  return { lower, upper, level, method: "exact" };
}
