import type { Standardisation } from "./standardise.js";

export interface DifferenceOfMeansFit {
  /** Unit-length direction on the standardised features. */
  weights: Float64Array;
  /** Places score 0 at the midpoint of the two class means. */
  bias: number;
}

/**
 * Computes the difference-of-means direction on standardised features,
 * wⱼ ∝ (μ⁺ⱼ − μ⁻ⱼ)/σⱼ, scaled to unit length, with the bias that scores the
 * midpoint between the class means 0. Sums run in float64 in row order.
 */
export function fitDifferenceOfMeans(
  rows: Float32Array,
  labels: Uint8Array,
  count: number,
  dims: number,
  { mean, std }: Standardisation,
): DifferenceOfMeansFit {
  const positive = new Float64Array(dims);
  const negative = new Float64Array(dims);
  let positives = 0;
  for (let i = 0; i < count; i++) {
    const target = labels[i] === 1 ? positive : negative;
    positives += labels[i] === 1 ? 1 : 0;
    const offset = i * dims;
    for (let j = 0; j < dims; j++) {
      target[j] = (target[j] as number) + (rows[offset + j] as number);
    }
  }
  const negatives = count - positives;

  const weights = new Float64Array(dims);
  let norm = 0;
  for (let j = 0; j < dims; j++) {
    const difference = (positive[j] as number) / positives - (negative[j] as number) / negatives;
    const w = difference / (std[j] as number);
    weights[j] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  let bias = 0;
  for (let j = 0; j < dims; j++) {
    const w = norm > 0 ? (weights[j] as number) / norm : 0;
    weights[j] = w;
    const midpoint =
      ((positive[j] as number) / positives + (negative[j] as number) / negatives) / 2;
    bias -= (w * (midpoint - (mean[j] as number))) / (std[j] as number);
  }
  return { weights, bias };
}
