import { formatValue, StatsError } from "./errors.js";
import { regularizedGammaP, regularizedGammaQ } from "./gamma.js";

/** The chi-square distribution with `degreesOfFreedom` k > 0. */

function assertArguments(x: number, degreesOfFreedom: number): void {
  if (
    typeof degreesOfFreedom !== "number" ||
    !(degreesOfFreedom > 0) ||
    !Number.isFinite(degreesOfFreedom)
  ) {
    throw new StatsError(
      "invalid_value",
      "degreesOfFreedom",
      degreesOfFreedom,
      `degrees of freedom must be a positive finite number, received ${formatValue(degreesOfFreedom)}`,
    );
  }
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new StatsError("invalid_value", "x", x, `x must be a number, received ${formatValue(x)}`);
  }
}

/** Computes P(X ≤ x) for X with a chi-square distribution on k degrees of freedom. */
export function chiSquareCdf(x: number, degreesOfFreedom: number): number {
  assertArguments(x, degreesOfFreedom);
  return regularizedGammaP(degreesOfFreedom / 2, Math.max(0, x) / 2);
}

/** Computes P(X > x), accurate for the small p-values of large statistics. */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  assertArguments(x, degreesOfFreedom);
  return regularizedGammaQ(degreesOfFreedom / 2, Math.max(0, x) / 2);
}
