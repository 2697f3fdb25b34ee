import { auroc, clusteredProportion, wilsonInterval } from "../stats/index.js";

/** A proportion with its counts and confidence interval. */
export interface ProportionEstimate {
  value: number;
  numerator: number;
  sample_size: number;
  interval: { lower: number; upper: number; level: number; method: string };
}

/** An AUROC with the class sizes behind it and its confidence interval. */
export interface AurocEstimate {
  value: number;
  positives: number;
  negatives: number;
  interval: { lower: number; upper: number; level: number; method: string };
}

/** Returns k/n with its Wilson score interval. */
export function estimateProportion(
  numerator: number,
  sampleSize: number,
  level: number,
): ProportionEstimate {
  const { lower, upper, method } = wilsonInterval(numerator, sampleSize, level);
  return {
    value: numerator / sampleSize,
    numerator,
    sample_size: sampleSize,
    interval: { lower, upper, level, method },
  };
}

/**
 * Returns the share of true outcomes with a Wilson interval when every
 * cluster has one unit. Otherwise the interval is cluster-robust, because
 * responses of one transcript are not independent.
 */
export function estimateClusteredProportion(
  outcomes: readonly boolean[],
  clusters: readonly string[],
  level: number,
): ProportionEstimate & { clusters: number } {
  const numerator = outcomes.filter(Boolean).length;
  const distinct = new Set(clusters).size;
  if (distinct === outcomes.length) {
    return { ...estimateProportion(numerator, outcomes.length, level), clusters: distinct };
  }
  const result = clusteredProportion(
    outcomes.map((outcome, i) => ({ cluster: clusters[i] as string, value: outcome ? 1 : 0 })),
    { level },
  );
  return {
    value: numerator / outcomes.length,
    numerator,
    sample_size: outcomes.length,
    clusters: distinct,
    interval: { lower: result.lower, upper: result.upper, level, method: result.method },
  };
}

/** Returns the AUROC of positive against negative scores with DeLong's interval. */
export function estimateAuroc(
  positives: readonly number[],
  negatives: readonly number[],
  level: number,
): AurocEstimate {
  const scores = [...positives, ...negatives];
  const labels = scores.map((_, i) => (i < positives.length ? 1 : 0) as 0 | 1);
  const result = auroc(scores, labels, level);
  return {
    value: result.auroc,
    positives: result.positives,
    negatives: result.negatives,
    interval: {
      lower: result.lower,
      upper: result.upper,
      level: result.level,
      method: result.method,
    },
  };
}
