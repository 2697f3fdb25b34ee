import { assertClusterKey, type ClusterKey } from "./clustered.js";
import { formatValue, StatsError } from "./errors.js";
import { DEFAULT_LEVEL } from "./interval.js";
import { SeededRandom } from "./random.js";
import { assertFinite, assertLevel, assertMinimumLength, assertSameLength } from "./validate.js";

/** Statistic of a paired sample, computed from the first and second measurements of each pair. */
export type PairedStatistic = (first: Float64Array, second: Float64Array) => number;

export interface PairedBootstrapOptions {
  /** Seed of the random number generator, an integer from 0 to 2^32 − 1. Record it with the result. */
  readonly seed: number;
  /** Number of bootstrap resamples, 10,000 when unset. */
  readonly resamples?: number;
  /** Confidence level of the percentile interval, 0.95 when unset. */
  readonly level?: number;
  /**
   * Cluster of each pair, in the order of `pairs`. When given, whole clusters
   * are resampled with replacement (the cluster bootstrap), so that pairs
   * correlated within a cluster stay together.
   */
  readonly clusters?: readonly ClusterKey[];
  /** Statistic to bootstrap, the mean of first − second when unset. */
  readonly statistic?: PairedStatistic;
}

/** A paired statistic with its percentile bootstrap interval. */
export interface PairedBootstrap {
  /** The statistic on the observed pairs. */
  readonly difference: number;
  /** Number of pairs. */
  readonly n: number;
  /** Number of resampling units: clusters when given, otherwise pairs. */
  readonly clusters: number;
  readonly resamples: number;
  readonly seed: number;
  /** Standard deviation of the bootstrap replicates. */
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly method: "bootstrap";
}

const DEFAULT_RESAMPLES = 10_000;

/**
 * Computes a paired statistic (by default the mean of first − second) with a
 * percentile bootstrap interval. The pairs (or the clusters of pairs) are
 * resampled with replacement `resamples` times and the statistic is
 * recomputed on each resample. The interval runs between the (1 − level)/2
 * and (1 + level)/2 quantiles of those replicates, interpolated linearly
 * between order statistics (type 7 of Hyndman and Fan 1996).
 *
 * Resampling pairs as units keeps the correlation between the two
 * measurements of an item, which is what makes the interval paired. The same
 * seed, data and options always give the same interval.
 */
export function pairedBootstrap(
  pairs: readonly (readonly [number, number])[],
  options: PairedBootstrapOptions,
): PairedBootstrap {
  const level = options.level ?? DEFAULT_LEVEL;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  assertLevel(level);
  assertMinimumLength("pairs", pairs.length, 1);
  assertResamples(resamples, level);

  const n = pairs.length;
  const first = new Float64Array(n);
  const second = new Float64Array(n);
  pairs.forEach((pair, index) => {
    assertFinite(`pairs[${index}][0]`, pair[0]);
    assertFinite(`pairs[${index}][1]`, pair[1]);
    first[index] = pair[0];
    second[index] = pair[1];
  });

  const groups = groupIndices(n, options.clusters);
  const random = new SeededRandom(options.seed);
  const statistic = options.statistic ?? meanDifference;
  const observed = checkedStatistic(statistic, first, second, "the observed pairs");

  const replicates =
    options.statistic === undefined
      ? resampleMeanDifference(first, second, groups, resamples, random)
      : resampleStatistic(first, second, groups, resamples, random, statistic);

  replicates.sort();
  let total = 0;
  for (const value of replicates) {
    total += value;
  }
  const replicateMean = total / resamples;
  let sumOfSquares = 0;
  for (const value of replicates) {
    sumOfSquares += (value - replicateMean) ** 2;
  }

  return {
    difference: observed,
    n,
    clusters: groups.length,
    resamples,
    seed: options.seed,
    standardError: resamples > 1 ? Math.sqrt(sumOfSquares / (resamples - 1)) : 0,
    lower: sortedQuantile(replicates, (1 - level) / 2),
    upper: sortedQuantile(replicates, (1 + level) / 2),
    level,
    method: "bootstrap",
  };
}

function meanDifference(first: Float64Array, second: Float64Array): number {
  let total = 0;
  for (let i = 0; i < first.length; i += 1) {
    total += (first[i] ?? 0) - (second[i] ?? 0);
  }
  return total / first.length;
}

// Resampling units: one group per cluster, or one group per pair.
function groupIndices(n: number, clusters: readonly ClusterKey[] | undefined): number[][] {
  if (clusters === undefined) {
    return Array.from({ length: n }, (_, index) => [index]);
  }
  assertSameLength(["pairs", "clusters"], [n, clusters.length]);
  const byCluster = new Map<ClusterKey, number[]>();
  clusters.forEach((cluster, index) => {
    assertClusterKey(`clusters[${index}]`, cluster);
    const members = byCluster.get(cluster);
    if (members === undefined) {
      byCluster.set(cluster, [index]);
    } else {
      members.push(index);
    }
  });
  return [...byCluster.values()];
}

// Fast path for the default statistic: each group contributes its sum of
// differences and its size, so a replicate costs one draw per group.
function resampleMeanDifference(
  first: Float64Array,
  second: Float64Array,
  groups: readonly number[][],
  resamples: number,
  random: SeededRandom,
): Float64Array {
  const groupSums = new Float64Array(groups.length);
  const groupSizes = new Float64Array(groups.length);
  groups.forEach((members, group) => {
    for (const index of members) {
      groupSums[group] = (groupSums[group] ?? 0) + (first[index] ?? 0) - (second[index] ?? 0);
    }
    groupSizes[group] = members.length;
  });

  const replicates = new Float64Array(resamples);
  for (let r = 0; r < resamples; r += 1) {
    let total = 0;
    let size = 0;
    for (let draw = 0; draw < groups.length; draw += 1) {
      const group = random.nextInt(groups.length);
      total += groupSums[group] ?? 0;
      size += groupSizes[group] ?? 0;
    }
    replicates[r] = total / size;
  }
  return replicates;
}

function resampleStatistic(
  first: Float64Array,
  second: Float64Array,
  groups: readonly number[][],
  resamples: number,
  random: SeededRandom,
  statistic: PairedStatistic,
): Float64Array {
  const replicates = new Float64Array(resamples);
  const sampledFirst: number[] = [];
  const sampledSecond: number[] = [];
  for (let r = 0; r < resamples; r += 1) {
    sampledFirst.length = 0;
    sampledSecond.length = 0;
    for (let draw = 0; draw < groups.length; draw += 1) {
      for (const index of groups[random.nextInt(groups.length)] ?? []) {
        sampledFirst.push(first[index] ?? 0);
        sampledSecond.push(second[index] ?? 0);
      }
    }
    replicates[r] = checkedStatistic(
      statistic,
      Float64Array.from(sampledFirst),
      Float64Array.from(sampledSecond),
      `bootstrap resample ${r}`,
    );
  }
  return replicates;
}

function checkedStatistic(
  statistic: PairedStatistic,
  first: Float64Array,
  second: Float64Array,
  sample: string,
): number {
  const value = statistic(first, second);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new StatsError(
      "invalid_value",
      "statistic",
      value,
      `the statistic returned ${formatValue(value)} on ${sample}; it must return a finite number`,
      "Make the statistic defined on every resample, for example by guarding divisions by zero.",
    );
  }
  return value;
}

/** Computes the q-quantile of ascending `sorted` by linear interpolation (Hyndman–Fan type 7). */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const fraction = position - below;
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + fraction * (high - low);
}

function assertResamples(resamples: number, level: number): void {
  // Fewer resamples than this leave less than one replicate in a tail, so the
  // percentile bounds would just be the extreme replicates.
  const minimum = Math.ceil(2 / (1 - level));
  if (!Number.isInteger(resamples) || resamples < minimum) {
    throw new StatsError(
      "invalid_option",
      "resamples",
      resamples,
      `resamples must be an integer of at least ${minimum} for level ${level}, received ${formatValue(resamples)}`,
      "Use 10,000 resamples or more for a reported interval.",
    );
  }
}
