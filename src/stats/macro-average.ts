import {
  assertClusterKey,
  type ClusteredUnit,
  type ClusterKey,
  tooFewClusters,
} from "./clustered.js";
import { DEFAULT_LEVEL } from "./interval.js";
import { summariseWithT } from "./t-interval.js";
import {
  assertFinite,
  assertInRange,
  assertLevel,
  assertMinimumLength,
  assertRange,
} from "./validate.js";

export interface MacroAverageOptions {
  /** Confidence level of the interval, 0.95 when unset. */
  readonly level?: number;
  /** Range of the metric as [lower, upper]. Values outside it are rejected and the interval is clipped to it. */
  readonly range?: readonly [number, number];
}

/** The mean and unit count of one cluster. */
export interface ClusterMean {
  readonly cluster: ClusterKey;
  readonly mean: number;
  readonly n: number;
}

/** A macro average over clusters with a t interval over the cluster means. */
export interface MacroAverage {
  /** Unweighted mean of the cluster means. */
  readonly value: number;
  /** Number of units. */
  readonly n: number;
  /** Number of clusters, the sample size of the interval. */
  readonly clusters: number;
  /** Standard deviation of the cluster means over sqrt(clusters). */
  readonly standardError: number;
  readonly degreesOfFreedom: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "t";
  /** Cluster means in order of first appearance. */
  readonly clusterMeans: readonly ClusterMean[];
}

/**
 * Computes a macro average: the mean of each cluster (for example the judged
 * compliance of every response to one policy clause), then the unweighted
 * mean of those cluster means, so that every cluster counts equally however
 * many units it has.
 *
 * The interval treats the G cluster means as G independent draws from the
 * population of clusters (clauses) and is the Student t interval
 * m̄ ± t_{G−1} · s_m / √G over them. Each cluster mean already carries its
 * within-cluster sampling noise, so s_m estimates the between-cluster spread
 * plus the within-cluster error together and no separate variance component
 * is needed. The t quantile keeps coverage close to nominal when G is small
 * (tens of clauses), where a normal interval is too narrow. The interval
 * describes the average over a population of clusters like those measured;
 * it is conservative for a statement about exactly these clusters only.
 */
export function macroAverage(
  units: readonly ClusteredUnit[],
  options: MacroAverageOptions = {},
): MacroAverage {
  const level = options.level ?? DEFAULT_LEVEL;
  assertLevel(level);
  assertMinimumLength("units", units.length, 1);
  if (options.range !== undefined) {
    assertRange("range", options.range);
  }

  const sums = new Map<ClusterKey, { total: number; n: number }>();
  units.forEach((unit, index) => {
    assertClusterKey(`units[${index}].cluster`, unit.cluster);
    if (options.range === undefined) {
      assertFinite(`units[${index}].value`, unit.value);
    } else {
      assertInRange(`units[${index}].value`, unit.value, options.range);
    }
    const entry = sums.get(unit.cluster);
    if (entry === undefined) {
      sums.set(unit.cluster, { total: unit.value, n: 1 });
    } else {
      entry.total += unit.value;
      entry.n += 1;
    }
  });

  if (sums.size < 2) {
    throw tooFewClusters(sums.size);
  }

  const clusterMeans: ClusterMean[] = [];
  for (const [cluster, entry] of sums) {
    clusterMeans.push({ cluster, mean: entry.total / entry.n, n: entry.n });
  }
  const summary = summariseWithT(
    clusterMeans.map((entry) => entry.mean),
    level,
    options.range,
  );

  return {
    value: summary.mean,
    n: units.length,
    clusters: clusterMeans.length,
    standardError: summary.standardError,
    degreesOfFreedom: summary.degreesOfFreedom,
    lower: summary.lower,
    upper: summary.upper,
    level,
    method: "t",
    clusterMeans,
  };
}
