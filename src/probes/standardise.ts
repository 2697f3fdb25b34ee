/** Per-feature mean and population standard deviation (ddof 0) of the training rows. */
export interface Standardisation {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Computes feature means and standard deviations in two passes (mean, then
 * squared deviations) in float64. A constant feature gets standard deviation
 * 1, as in scikit-learn's StandardScaler, so it contributes nothing instead of
 * dividing by zero.
 */
export function computeStandardisation(
  rows: Float32Array,
  count: number,
  dims: number,
): Standardisation {
  const mean = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    const offset = i * dims;
    for (let j = 0; j < dims; j++) {
      mean[j] = (mean[j] as number) + (rows[offset + j] as number);
    }
  }
  for (let j = 0; j < dims; j++) {
    mean[j] = (mean[j] as number) / count;
  }

  const variance = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    const offset = i * dims;
    for (let j = 0; j < dims; j++) {
      const deviation = (rows[offset + j] as number) - (mean[j] as number);
      variance[j] = (variance[j] as number) + deviation * deviation;
    }
  }
  const std = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    const value = Math.sqrt((variance[j] as number) / count);
    std[j] = value > 0 ? value : 1;
  }
  return { mean, std };
}
