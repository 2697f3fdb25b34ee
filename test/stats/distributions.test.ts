import { describe, expect, it } from "vitest";
import { regularizedBeta } from "../../src/stats/beta.js";
import {
  binomialCdf,
  binomialPmf,
  binomialUpperTail,
  chiSquareCdf,
  chiSquareSurvival,
  normalCdf,
  normalCriticalValue,
  normalDensity,
  normalQuantile,
  normalSurvival,
  StatsError,
  studentTCdf,
  studentTQuantile,
} from "../../src/stats/index.js";

// Reference values marked "mpmath" were computed with mpmath 1.3.0 at 40
// significant digits and rounded to 17.

function expectRelative(actual: number, expected: number, tolerance: number): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  expect(error, `actual ${actual}, expected ${expected}, relative error ${error}`).toBeLessThan(
    tolerance,
  );
}

// Composite Simpson's rule, for CDF values computed from the density alone.
function simpson(f: (x: number) => number, from: number, to: number, intervals = 20_000): number {
  const h = (to - from) / intervals;
  let sum = f(from) + f(to);
  for (let i = 1; i < intervals; i += 1) {
    sum += (i % 2 === 1 ? 4 : 2) * f(from + i * h);
  }
  return (sum * h) / 3;
}

describe("normal distribution", () => {
  it("matches mpmath values in both tails", () => {
    expectRelative(normalCdf(-1), 0.15865525393145705, 1e-15);
    expectRelative(normalCdf(-3), 0.0013498980316300946, 1e-15);
    expectRelative(normalCdf(0.5), 0.6914624612740131, 1e-15);
    expectRelative(normalCdf(2), 0.9772498680518208, 1e-15);
    expectRelative(normalSurvival(10), 7.619853024160525e-24, 1e-14);
    expectRelative(normalCdf(-37), 5.725571222524577e-300, 1e-13);
    expect(normalCdf(0)).toBe(0.5);
  });

  it("agrees with integrating the density", () => {
    for (const x of [0.3, 1, 2.2, 4]) {
      const integral = 0.5 + simpson((t) => normalDensity(t), 0, x);
      expect(Math.abs(normalCdf(x) - integral)).toBeLessThan(1e-13);
    }
  });

  it("keeps upper and lower tails complementary", () => {
    for (const x of [-6, -1.3, 0.2, 0.9, 5.5, 8]) {
      expect(Math.abs(normalCdf(x) + normalSurvival(x) - 1)).toBeLessThan(1e-15);
      expect(normalSurvival(x)).toBe(normalCdf(-x));
    }
  });

  it("has quantiles matching mpmath", () => {
    expectRelative(normalQuantile(0.975), 1.9599639845400543, 1e-15);
    expectRelative(normalQuantile(0.995), 2.575829303548901, 1e-15);
    expectRelative(normalQuantile(0.9), 1.2815515655446004, 1e-15);
    expectRelative(normalQuantile(0.05), -1.6448536269514726, 1e-15);
    expectRelative(normalQuantile(0.3), -0.5244005127080408, 1e-15);
    expectRelative(normalQuantile(0.999), 3.0902323061678136, 1e-15);
    expectRelative(normalQuantile(1e-10), -6.361340902404056, 1e-15);
    expectRelative(normalQuantile(1e-20), -9.262340089798409, 1e-15);
    expectRelative(normalQuantile(1e-300), -37.0470962993612, 1e-15);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it("inverts the CDF to 1e-9", () => {
    for (let p = 0.0005; p < 1; p += 0.0137) {
      expect(Math.abs(normalCdf(normalQuantile(p)) - p)).toBeLessThan(1e-9 * Math.min(p, 1 - p));
    }
  });

  it("gives the two-sided critical value", () => {
    expectRelative(normalCriticalValue(0.95), 1.9599639845400543, 1e-15);
    expectRelative(normalCriticalValue(0.99), 2.575829303548901, 1e-15);
  });

  it("rejects invalid probabilities and NaN", () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => normalQuantile(p)).toThrow(StatsError);
    }
    expect(() => normalCdf(Number.NaN)).toThrow(/NaN/);
  });
});

describe("Student t distribution", () => {
  it("matches the Cauchy and two-degree closed forms", () => {
    // Lower tails in forms free of cancellation: atan(1/|t|)/π for ν = 1 and
    // 1 / (r(r + |t|)) with r = sqrt(2 + t²) for ν = 2.
    for (const t of [-40, -3, -0.5, -0.01]) {
      const r = Math.sqrt(2 + t * t);
      expectRelative(studentTCdf(t, 1), Math.atan(1 / -t) / Math.PI, 1e-14);
      expectRelative(studentTCdf(t, 2), 1 / (r * (r - t)), 1e-14);
    }
    for (const t of [0.1, 2, 25]) {
      expectRelative(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-15);
      expectRelative(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-15);
    }
    for (const p of [0.001, 0.025, 0.4, 0.975]) {
      expectRelative(studentTQuantile(p, 1), Math.tan(Math.PI * (p - 0.5)), 1e-13);
      expectRelative(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-13);
    }
  });

  it("matches the three-degree closed form", () => {
    for (const t of [-7, -1.2, 0.4, 3]) {
      const u = t / Math.sqrt(3);
      const expected = 0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI;
      // The closed form cancels in the lower tail, so compare absolutely.
      expect(Math.abs(studentTCdf(t, 3) - expected)).toBeLessThan(1e-15);
    }
  });

  it("matches mpmath CDF values", () => {
    expectRelative(studentTCdf(-2.5, 4), 0.03338327240599407, 1e-14);
    expectRelative(studentTCdf(1.3, 17), 0.8945240930562365, 1e-14);
    expectRelative(studentTCdf(-30, 100), 4.190166279344146e-52, 1e-12);
    expectRelative(studentTCdf(0.2, 3), 0.5728648353768605, 1e-14);
  });

  it("matches mpmath quantiles", () => {
    expectRelative(studentTQuantile(0.975, 10), 2.228138851986275, 1e-12);
    expectRelative(studentTQuantile(0.975, 1), 12.706204736174705, 1e-12);
    expectRelative(studentTQuantile(0.995, 30), 2.7499956535672254, 1e-12);
    expectRelative(studentTQuantile(0.975, 4), 2.7764451051977943, 1e-12);
    expectRelative(studentTQuantile(0.95, 7.5), 1.8757474792112885, 1e-12);
    expectRelative(studentTQuantile(0.025, 3), -3.1824463052837095, 1e-12);
    expectRelative(studentTQuantile(0.975, 100), 1.9839715185235522, 1e-12);
    expectRelative(studentTQuantile(1e-8, 5), -62.40450611096729, 1e-11);
  });

  it("approaches the normal distribution", () => {
    expectRelative(studentTQuantile(0.975, 1e7), 1.9599639845400543, 1e-6);
    expect(studentTQuantile(0.975, Number.POSITIVE_INFINITY)).toBe(normalQuantile(0.975));
  });

  it("expansion for large ν matches the incomplete beta", () => {
    // At ν = 2e5 and |t| ≤ 3.16 the CDF comes from the expansion in 1/ν; the
    // incomplete beta form 0.5 · I_x(ν/2, 1/2) is still accurate to 1e-11 there.
    const nu = 2e5;
    for (const t of [-3, -1.5, -0.2]) {
      const viaBeta = 0.5 * regularizedBeta(nu / (nu + t * t), nu / 2, 0.5, (t * t) / (nu + t * t));
      expectRelative(studentTCdf(t, nu), viaBeta, 1e-10);
    }
  });

  it("rejects invalid degrees of freedom", () => {
    for (const df of [0, -1, Number.NaN]) {
      expect(() => studentTCdf(1, df)).toThrow(StatsError);
      expect(() => studentTQuantile(0.5, df)).toThrow(StatsError);
    }
  });
});

describe("chi-square distribution", () => {
  it("matches closed forms for 1 and 2 degrees of freedom", () => {
    for (const x of [0.01, 0.7, 3, 12]) {
      expectRelative(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-14);
      expectRelative(chiSquareSurvival(x, 1), 2 * normalSurvival(Math.sqrt(x)), 1e-13);
    }
  });

  it("matches mpmath values", () => {
    expectRelative(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-14);
    expectRelative(chiSquareSurvival(10, 4), 0.0404276819945128, 1e-14);
    expectRelative(chiSquareSurvival(200, 50), 7.857610724654744e-20, 1e-12);
    expectRelative(chiSquareCdf(0.5, 3), 0.08110858834532414, 1e-14);
    expect(chiSquareCdf(0, 3)).toBe(0);
  });
});

describe("binomial distribution", () => {
  // Exact sums with integer arithmetic: C(n, k) · p^k (1 − p)^(n − k).
  function exactCdf(k: number, n: number, p: number): number {
    let total = 0;
    let coefficient = 1;
    for (let j = 0; j <= k; j += 1) {
      total += coefficient * p ** j * (1 - p) ** (n - j);
      coefficient = (coefficient * (n - j)) / (j + 1);
    }
    return total;
  }

  it("matches direct sums for small n", () => {
    for (const [k, n, p] of [
      [0, 10, 0.5],
      [3, 10, 0.5],
      [5, 12, 0.3],
      [1, 8, 0.5],
      [17, 40, 0.45],
    ] as const) {
      expectRelative(binomialCdf(k, n, p), exactCdf(k, n, p), 1e-13);
      expectRelative(binomialUpperTail(k + 1, n, p), 1 - exactCdf(k, n, p), 1e-12);
      expectRelative(binomialPmf(k, n, p), exactCdf(k, n, p) - exactCdf(k - 1, n, p), 1e-12);
    }
  });

  it("gives 1/256 tail terms for n = 8", () => {
    expect(binomialCdf(1, 8, 0.5)).toBeCloseTo(9 / 256, 15);
    expect(binomialPmf(1, 8, 0.5)).toBeCloseTo(8 / 256, 15);
  });

  it("handles k outside 0..n", () => {
    expect(binomialCdf(-1, 5, 0.3)).toBe(0);
    expect(binomialCdf(5, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(0, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(6, 5, 0.3)).toBe(0);
    expect(binomialPmf(6, 5, 0.3)).toBe(0);
  });

  it("stays accurate for 200,000 trials", () => {
    // mpmath: P(X ≤ 150) and P(X = 150) for X ~ Bin(200000, 0.001).
    expectRelative(binomialCdf(150, 200_000, 0.001), 0.00013049483085346962, 1e-11);
    expectRelative(binomialPmf(150, 200_000, 0.001), 0.00003436810990207426, 1e-12);
  });
});
