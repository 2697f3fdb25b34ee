import { describe, expect, it } from "vitest";
import {
  auroc,
  type BinaryLabel,
  normalCdf,
  normalQuantile,
  SeededRandom,
  StatsError,
} from "../../src/stats/index.js";

const Z = 1.959963984540054;

// DeLong's estimate computed the slow way, by comparing every positive with
// every negative.
function bruteForce(scores: number[], labels: BinaryLabel[]) {
  const positives = scores.filter((_, i) => labels[i] === 1 || labels[i] === true);
  const negatives = scores.filter((_, i) => labels[i] === 0 || labels[i] === false);
  const kernel = (x: number, y: number): number => {
    if (x === y) {
      return 0.5;
    }
    return x > y ? 1 : 0;
  };
  const v10 = positives.map(
    (x) => negatives.reduce((sum, y) => sum + kernel(x, y), 0) / negatives.length,
  );
  const v01 = negatives.map(
    (y) => positives.reduce((sum, x) => sum + kernel(x, y), 0) / positives.length,
  );
  const area = v10.reduce((sum, v) => sum + v, 0) / positives.length;
  const variance = (values: number[]) =>
    values.reduce((sum, v) => sum + (v - area) ** 2, 0) / (values.length - 1);
  return {
    area,
    standardError: Math.sqrt(variance(v10) / positives.length + variance(v01) / negatives.length),
  };
}

describe("auroc", () => {
  it("gives 0.75 on the four-score example", () => {
    const result = auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(result.auroc).toBe(0.75);
    expect(result.mannWhitneyU).toBe(3);
    expect(result.positives).toBe(2);
    expect(result.negatives).toBe(2);
    expect(result.method).toBe("delong");
  });

  it("counts ties between classes as one half", () => {
    // Every score tied: the AUROC is exactly 0.5.
    expect(auroc([1, 1, 1, 1], [0, 1, 0, 1]).auroc).toBe(0.5);
    // One positive above both negatives, one tied with a negative: (2 + 0.5 + 0) / 4.
    expect(auroc([0.9, 0.5, 0.5, 0.2], [1, 1, 0, 0]).auroc).toBe(0.875);
  });

  it("matches brute force with ties and booleans", () => {
    const random = new SeededRandom(99);
    const scores: number[] = [];
    const labels: BinaryLabel[] = [];
    for (let i = 0; i < 300; i += 1) {
      const positive = random.nextFloat() < 0.4;
      // Rounded scores create many ties within and across classes.
      scores.push(Math.round((random.nextFloat() + (positive ? 0.3 : 0)) * 10) / 10);
      labels.push(positive);
    }
    const expected = bruteForce(scores, labels);
    const result = auroc(scores, labels);
    expect(result.auroc).toBeCloseTo(expected.area, 14);
    expect(result.standardError).toBeCloseTo(expected.standardError, 14);
    expect(result.lower).toBeCloseTo(expected.area - Z * expected.standardError, 13);
    expect(result.upper).toBeCloseTo(expected.area + Z * expected.standardError, 13);
  });

  it("handles 200,000 scores and recovers a known AUROC", () => {
    // Negatives N(0, 1) and positives N(1, 1): the true AUROC is Φ(1/√2).
    const random = new SeededRandom(2025);
    const normal = () => normalQuantile((random.nextUint32() + 0.5) / 4294967296);
    const scores: number[] = [];
    const labels: BinaryLabel[] = [];
    for (let i = 0; i < 200_000; i += 1) {
      const positive = i % 4 === 0;
      scores.push(normal() + (positive ? 1 : 0));
      labels.push(positive ? 1 : 0);
    }
    const started = performance.now();
    const result = auroc(scores, labels);
    const elapsed = performance.now() - started;

    const truth = normalCdf(1 / Math.SQRT2);
    expect(result.positives).toBe(50_000);
    expect(result.lower).toBeLessThan(truth);
    expect(result.upper).toBeGreaterThan(truth);
    // Both structural components have variance Φ₂(1/√2, 1/√2; ρ = ½) − A² =
    // 0.0557221 here (bivariate normal CDF from scipy 1.17.1), so the
    // DeLong SE should be near sqrt(0.0557221 / 50000 + 0.0557221 / 150000).
    const expectedSe = Math.sqrt(0.0557221 / 50_000 + 0.0557221 / 150_000);
    expect(Math.abs(result.standardError / expectedSe - 1)).toBeLessThan(0.05);
    // A quadratic algorithm would need 1e10 comparisons here.
    expect(elapsed).toBeLessThan(5000);
  });

  it("collapses at perfect separation", () => {
    const result = auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(result.auroc).toBe(1);
    expect(result.standardError).toBe(0);
    expect(result.lower).toBe(1);
    const reversed = auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]);
    expect(reversed.auroc).toBe(0);
  });

  it("rejects invalid input", () => {
    expect(() => auroc([0.1, 0.2, 0.3], [1, 0, 0])).toThrow(
      /needs at least 2 positives and 2 negatives, received 1 positives and 2 negatives/,
    );
    expect(() => auroc([0.1, Number.NaN, 0.3, 0.4], [1, 0, 0, 1])).toThrow(
      /scores\[1\] must be a finite number, received NaN/,
    );
    expect(() => auroc([0.1, 0.2, 0.3, 0.4], [1, 0, 2 as BinaryLabel, 1])).toThrow(
      /labels\[2\] must be 0, 1, false or true, received 2/,
    );
    expect(() => auroc([0.1], [1, 0])).toThrow(/scores has 1 elements but labels has 2/);
    expect(() => auroc([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1], 0)).toThrow(StatsError);
  });
});
