import type { Probe } from "./artifact.js";

/**
 * Scores activation rows with a probe: score = c + Σⱼ xⱼ vⱼ with
 * vⱼ = wⱼ/σⱼ and c = b − Σⱼ μⱼ vⱼ, which equals b + Σⱼ wⱼ (xⱼ − μⱼ)/σⱼ.
 * Each row is summed in float64 in feature order, so every command that
 * scores a row gets the same bits.
 */
export class ProbeScorer {
  private readonly v: Float64Array;
  private readonly offset: number;
  readonly dims: number;

  constructor(probe: Probe) {
    const dims = probe.artifact.dims;
    this.dims = dims;
    this.v = new Float64Array(dims);
    let offset = probe.artifact.bias;
    for (let j = 0; j < dims; j++) {
      const v = (probe.weights[j] as number) / (probe.std[j] as number);
      this.v[j] = v;
      offset -= (probe.mean[j] as number) * v;
    }
    this.offset = offset;
  }

  /** Returns the score of row `row` of a row-major block. */
  scoreRow(block: Float32Array, row: number): number {
    const dims = this.dims;
    const v = this.v;
    const start = row * dims;
    let sum = 0;
    for (let j = 0; j < dims; j++) {
      sum += (block[start + j] as number) * (v[j] as number);
    }
    return sum + this.offset;
  }
}

/** Aggregates the token scores of one response: their mean (summed in order) or their max. */
export function aggregateScores(
  scores: Float64Array,
  rows: readonly number[],
  aggregation: "mean" | "max",
): number {
  if (aggregation === "max") {
    let max = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      const score = scores[row] as number;
      if (score > max) {
        max = score;
      }
    }
    return max;
  }
  let sum = 0;
  for (const row of rows) {
    sum += scores[row] as number;
  }
  return sum / rows.length;
}
