import { DEFAULT_LEVEL, type Interval } from "./interval.js";
import { normalCriticalValue } from "./normal.js";
import { assertSuccesses } from "./validate.js";

/** A Wilson score interval for a binomial proportion. */
export interface WilsonInterval extends Interval {
  readonly method: "wilson";
}

/**
 * Computes the Wilson score interval (Wilson 1927) for `successes` out of `n`,
 * without continuity correction: the values of p that a two-sided score test
 * at 1 − level does not reject. It equals the interval R's
 * `prop.test(x, n, correct = FALSE)` prints.
 *
 * Its bounds are (x + z²/2 ± z·sqrt(x(n − x)/n + z²/4)) / (n + z²), written
 * with counts so that x = 0 and x = n give bounds of exactly 0 and 1.
 */
export function wilsonInterval(
  successes: number,
  n: number,
  level = DEFAULT_LEVEL,
): WilsonInterval {
  assertSuccesses(successes, n);
  const z = normalCriticalValue(level);
  const zSquared = z * z;

  const denominator = n + zSquared;
  const center = (successes + zSquared / 2) / denominator;
  const halfWidth = (z * Math.sqrt((successes * (n - successes)) / n + zSquared / 4)) / denominator;

  return {
    lower: successes === 0 ? 0 : Math.max(0, center - halfWidth),
    upper: successes === n ? 1 : Math.min(1, center + halfWidth),
    level,
    method: "wilson",
  };
}
