import { formatValue, StatsError } from "./errors.js";
import { clip, DEFAULT_LEVEL } from "./interval.js";
import { normalCriticalValue } from "./normal.js";
import {
  assertFinite,
  assertInRange,
  assertLevel,
  assertMinimumLength,
  assertRange,
} from "./validate.js";

/** Key that groups units into clusters: an item id, a clause id, a task id. */
export type ClusterKey = string | number;

/** One scored unit and the cluster it belongs to. */
export interface ClusteredUnit {
  readonly cluster: ClusterKey;
  readonly value: number;
}

export interface ClusteredMeanOptions {
  /** Confidence level of the interval, 0.95 when unset. */
  readonly level?: number;
  /** Range of the metric as [lower, upper]. Values outside it are rejected and the interval is clipped to it. */
  readonly range?: readonly [number, number];
  /**
   * Multiplies the variance by G / (G − 1) for G clusters, the CR1 small-sample
   * factor for a mean. Off by default, which is the estimator of Miller (2024).
   */
  readonly smallSampleCorrection?: boolean;
}

/** A mean with a cluster-robust standard error and a normal interval. */
export interface ClusteredMean {
  readonly value: number;
  /** Number of units. */
  readonly n: number;
  /** Number of distinct clusters. */
  readonly clusters: number;
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "clustered";
  /**
   * Ratio of the clustered variance to the variance the same units would have
   * if they were independent, or null when every unit has the same value.
   */
  readonly designEffect: number | null;
  /**
   * normal: value ± z·SE. wilson_worst_case: a proportion of exactly 0 or 1
   * has a standard error of 0, so its interval is a Wilson interval at the
   * smallest effective sample size the clusters allow (see clusteredProportion).
   */
  readonly intervalFormula: "normal" | "wilson_worst_case";
}

/**
 * Computes the mean of `units` with the cluster-robust standard error of
 * Miller, "Adding Error Bars to Evals" (2024):
 *
 *   SE = sqrt( Σ_c ( Σ_{i in c} (x_i − x̄) )² ) / n,
 *
 * the sum over clusters of the squared within-cluster sums of residuals. With
 * one unit per cluster it reduces to the plug-in standard error
 * sqrt(Σ (x_i − x̄)²) / n. The interval is x̄ ± z·SE, clipped to `range`.
 *
 * NOTE: like every cluster-robust estimator it needs many clusters. With few
 * of them (a common rule of thumb is under 30 to 50) the normal interval is
 * too narrow, so set `smallSampleCorrection` or use macroAverage, whose t
 * interval over cluster means suits few clusters.
 */
export function clusteredMean(
  units: readonly ClusteredUnit[],
  options: ClusteredMeanOptions = {},
): ClusteredMean {
  const level = options.level ?? DEFAULT_LEVEL;
  assertLevel(level);
  assertMinimumLength("units", units.length, 1);
  if (options.range !== undefined) {
    assertRange("range", options.range);
  }
  units.forEach((unit, index) => {
    assertClusterKey(`units[${index}].cluster`, unit.cluster);
    if (options.range === undefined) {
      assertFinite(`units[${index}].value`, unit.value);
    } else {
      assertInRange(`units[${index}].value`, unit.value, options.range);
    }
  });

  const n = units.length;
  let total = 0;
  for (const unit of units) {
    total += unit.value;
  }
  const mean = total / n;

  // Residuals are summed within each cluster before squaring, so that
  // correlated units in one cluster add to the variance together.
  const residualSums = new Map<ClusterKey, number>();
  let independentSumOfSquares = 0;
  for (const unit of units) {
    const residual = unit.value - mean;
    residualSums.set(unit.cluster, (residualSums.get(unit.cluster) ?? 0) + residual);
    independentSumOfSquares += residual * residual;
  }
  let clusteredSumOfSquares = 0;
  for (const sum of residualSums.values()) {
    clusteredSumOfSquares += sum * sum;
  }

  const clusters = residualSums.size;
  let variance = clusteredSumOfSquares / (n * n);
  if (options.smallSampleCorrection === true) {
    if (clusters < 2) {
      throw tooFewClusters(clusters);
    }
    variance *= clusters / (clusters - 1);
  }
  const standardError = Math.sqrt(variance);

  const z = normalCriticalValue(level);
  let lower = mean - z * standardError;
  let upper = mean + z * standardError;
  if (options.range !== undefined) {
    lower = clip(lower, options.range);
    upper = clip(upper, options.range);
  }

  return {
    value: mean,
    n,
    clusters,
    standardError,
    lower,
    upper,
    level,
    method: "clustered",
    designEffect:
      independentSumOfSquares > 0 ? clusteredSumOfSquares / independentSumOfSquares : null,
    intervalFormula: "normal",
  };
}

export interface ClusteredProportionOptions {
  /** Confidence level of the interval, 0.95 when unset. */
  readonly level?: number;
  /** See ClusteredMeanOptions.smallSampleCorrection. */
  readonly smallSampleCorrection?: boolean;
}

/**
 * Computes a proportion of binary outcomes (each `value` 0 or 1) with the
 * cluster-robust standard error and normal interval of clusteredMean, clipped
 * to [0, 1].
 *
 * When every outcome is 0 (or every outcome is 1) the standard error is 0 and
 * a normal interval would be the single point 0 (or 1), claiming certainty no
 * finite sample has. In that case the interval is the Wilson interval for 0
 * (or all) successes at Kish's effective sample size n² / Σ m_c², with m_c
 * units in cluster c. That is the effective size when outcomes within a
 * cluster are perfectly correlated, the worst case, so the interval errs on
 * the wide side. With equal cluster sizes it is the number of clusters.
 */
export function clusteredProportion(
  units: readonly ClusteredUnit[],
  options: ClusteredProportionOptions = {},
): ClusteredMean {
  units.forEach((unit, index) => {
    if (unit.value !== 0 && unit.value !== 1) {
      throw new StatsError(
        "invalid_value",
        `units[${index}].value`,
        unit.value,
        `units[${index}].value must be 0 or 1 for a proportion, received ${formatValue(unit.value)}`,
        "Use clusteredMean for scores that are not binary outcomes.",
      );
    }
  });

  const result = clusteredMean(units, { ...options, range: [0, 1] });
  if (result.value !== 0 && result.value !== 1) {
    return result;
  }

  // Kish's effective sample size n² / Σ m_c² for cluster sizes m_c: the
  // sample size the units are worth if every cluster is internally perfectly
  // correlated. It equals the number of clusters when they have equal sizes.
  const sizes = new Map<ClusterKey, number>();
  for (const unit of units) {
    sizes.set(unit.cluster, (sizes.get(unit.cluster) ?? 0) + 1);
  }
  let sumOfSquaredSizes = 0;
  for (const size of sizes.values()) {
    sumOfSquaredSizes += size * size;
  }
  const effectiveSize = (result.n * result.n) / sumOfSquaredSizes;

  // The Wilson bound for 0 successes out of m is z² / (m + z²), and by
  // symmetry the lower bound for m out of m is m / (m + z²).
  const zSquared = normalCriticalValue(result.level) ** 2;
  const bound = zSquared / (effectiveSize + zSquared);
  return {
    ...result,
    lower: result.value === 0 ? 0 : 1 - bound,
    upper: result.value === 0 ? bound : 1,
    intervalFormula: "wilson_worst_case",
  };
}

/** Throws unless `key` can identify a cluster: a string or a finite number. */
export function assertClusterKey(parameter: string, key: unknown): void {
  const valid = typeof key === "string" || (typeof key === "number" && Number.isFinite(key));
  if (!valid) {
    throw new StatsError(
      "invalid_value",
      parameter,
      key,
      `${parameter} must be a string or a finite number, received ${formatValue(key)}`,
      "Give every unit the id of its cluster, for example the item or clause id.",
    );
  }
}

export function tooFewClusters(clusters: number): StatsError {
  return new StatsError(
    "too_few_clusters",
    "units",
    clusters,
    `at least 2 clusters are needed to estimate the variance between clusters, received ${clusters}`,
    "Measure more clusters, or report the value without an interval.",
  );
}
