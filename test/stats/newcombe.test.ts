import { describe, expect, it } from "vitest";
import { binomialPmf, newcombeDifference, StatsError } from "../../src/stats/index.js";

const Z = 1.959963984540054;

// Wilson bounds in the textbook closed form (2x + z² ∓ z·sqrt(z² + 4x(n − x)/n)) / (2(n + z²)).
function wilsonBounds(x: number, n: number): [number, number] {
  const center = 2 * x + Z * Z;
  const spread = Z * Math.sqrt(Z * Z + (4 * x * (n - x)) / n);
  const denominator = 2 * (n + Z * Z);
  return [(center - spread) / denominator, (center + spread) / denominator];
}

describe("newcombeDifference", () => {
  it("reproduces Newcombe's 56/70 vs 48/80 example by hand", () => {
    // Newcombe (1998, Statistics in Medicine 17, 873–890) reports 0.2 with
    // 95% interval 0.0524 to 0.3339 for this pair. By hand:
    //   p1 = 56/70 = 0.8,  Wilson (l1, u1) = (0.691834, 0.876953)
    //   p2 = 48/80 = 0.6,  Wilson (l2, u2) = (0.490455, 0.700382)
    //   lower = 0.2 − sqrt((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.052431
    //   upper = 0.2 + sqrt((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.333873
    const [l1, u1] = wilsonBounds(56, 70);
    const [l2, u2] = wilsonBounds(48, 80);
    expect(l1).toBeCloseTo(0.691834, 6);
    expect(u1).toBeCloseTo(0.876953, 6);
    expect(l2).toBeCloseTo(0.490455, 6);
    expect(u2).toBeCloseTo(0.700382, 6);
    const lower = 0.2 - Math.sqrt((0.8 - l1) ** 2 + (u2 - 0.6) ** 2);
    const upper = 0.2 + Math.sqrt((u1 - 0.8) ** 2 + (0.6 - l2) ** 2);

    const result = newcombeDifference(56, 70, 48, 80);
    expect(result.difference).toBeCloseTo(0.2, 15);
    expect(result.lower).toBeCloseTo(lower, 14);
    expect(result.upper).toBeCloseTo(upper, 14);
    expect(result.lower).toBeCloseTo(0.0524, 4);
    expect(result.upper).toBeCloseTo(0.3339, 4);
    expect(result.method).toBe("newcombe");
    expect(result.level).toBe(0.95);
    expect(result.n1).toBe(70);
    expect(result.n2).toBe(80);
  });

  it("handles zero and full counts", () => {
    // Both proportions 0: the bounds are the Wilson upper bounds of each sample.
    const none = newcombeDifference(0, 10, 0, 20);
    expect(none.difference).toBe(0);
    expect(none.lower).toBeCloseTo(-wilsonBounds(0, 20)[1], 15);
    expect(none.upper).toBeCloseTo(wilsonBounds(0, 10)[1], 15);

    const extreme = newcombeDifference(10, 10, 0, 10);
    expect(extreme.difference).toBe(1);
    expect(extreme.upper).toBe(1);
    expect(extreme.lower).toBeCloseTo(
      1 - Math.hypot(1 - wilsonBounds(10, 10)[0], wilsonBounds(0, 10)[1]),
      15,
    );

    const single = newcombeDifference(1, 1, 0, 1);
    expect(single.lower).toBeGreaterThanOrEqual(-1);
    expect(single.upper).toBe(1);
  });

  it("is antisymmetric when the samples swap", () => {
    const forward = newcombeDifference(9, 10, 3, 10);
    const backward = newcombeDifference(3, 10, 9, 10);
    expect(backward.difference).toBeCloseTo(-forward.difference, 15);
    expect(backward.lower).toBeCloseTo(-forward.upper, 15);
    expect(backward.upper).toBeCloseTo(-forward.lower, 15);
  });

  it("has exact coverage near 95%", () => {
    // p1 = 0.3 and p2 = 0.5 with 30 units in each sample. Coverage is exact:
    // it sums the probability of every pair of outcomes whose interval covers.
    const n = 30;
    const p1 = 0.3;
    const p2 = 0.5;
    let coverage = 0;
    for (let x1 = 0; x1 <= n; x1 += 1) {
      for (let x2 = 0; x2 <= n; x2 += 1) {
        const result = newcombeDifference(x1, n, x2, n);
        if (result.lower <= p1 - p2 && p1 - p2 <= result.upper) {
          coverage += binomialPmf(x1, n, p1) * binomialPmf(x2, n, p2);
        }
      }
    }
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.97);
  });

  it("rejects invalid counts", () => {
    expect(() => newcombeDifference(5, 4, 1, 4)).toThrow(/x1 \(5\) must not exceed n1 \(4\)/);
    expect(() => newcombeDifference(1, 4, 1, 0)).toThrow(/n2 must be at least 1/);
    expect(() => newcombeDifference(1, 4, -2, 4)).toThrow(
      /x2 must be a non-negative integer, received -2/,
    );
    expect(() => newcombeDifference(1, 4, 1, 4, 1.2)).toThrow(StatsError);
  });
});
