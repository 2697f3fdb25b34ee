import { describe, expect, it } from "vitest";
import {
  binomialPmf,
  clopperPearsonInterval,
  SeededRandom,
  StatsError,
  wilsonInterval,
} from "../../src/stats/index.js";

const Z_95 = 1.959963984540054;

// The one-sample interval of R's prop.test(x, n, correct = FALSE), in the
// algebraic form of R's stats/R/prop.test.R, as an independent reference.
function propTestWilson(x: number, n: number, z = Z_95): [number, number] {
  const estimate = x / n;
  const z22n = (z * z) / (2 * n);
  const spread = z * Math.sqrt((estimate * (1 - estimate)) / n + z22n / (2 * n));
  const lower = estimate <= 0 ? 0 : (estimate + z22n - spread) / (1 + 2 * z22n);
  const upper = estimate >= 1 ? 1 : (estimate + z22n + spread) / (1 + 2 * z22n);
  return [Math.max(lower, 0), Math.min(upper, 1)];
}

// Exact binomial tail P(X ≤ k) by direct summation, independent of the
// incomplete beta function the library uses.
function directCdf(k: number, n: number, p: number): number {
  let total = 0;
  let coefficient = 1;
  for (let j = 0; j <= k; j += 1) {
    total += coefficient * p ** j * (1 - p) ** (n - j);
    coefficient = (coefficient * (n - j)) / (j + 1);
  }
  return total;
}

describe("wilsonInterval", () => {
  it("matches prop.test without continuity correction", () => {
    for (const [x, n] of [
      [0, 10],
      [10, 10],
      [5, 10],
      [81, 263],
      [15, 148],
      [1, 29],
      [0, 1],
      [1, 1],
      [999, 1000],
    ] as const) {
      const interval = wilsonInterval(x, n);
      const [lower, upper] = propTestWilson(x, n);
      expect(interval.lower, `lower bound for ${x}/${n}`).toBeCloseTo(lower, 14);
      expect(interval.upper, `upper bound for ${x}/${n}`).toBeCloseTo(upper, 14);
    }
  });

  it("gives the known values for 81/263", () => {
    const interval = wilsonInterval(81, 263);
    expect(interval.lower).toBeCloseTo(0.2553, 4);
    expect(interval.upper).toBeCloseTo(0.3662, 4);
    expect(interval.level).toBe(0.95);
    expect(interval.method).toBe("wilson");
  });

  it("solves the score equation at its bounds", () => {
    // Each bound p satisfies (x/n − p)² = z² p (1 − p) / n.
    for (const [x, n] of [
      [3, 17],
      [81, 263],
      [40, 41],
    ] as const) {
      const interval = wilsonInterval(x, n);
      for (const p of [interval.lower, interval.upper]) {
        const residual = (x / n - p) ** 2 - (Z_95 * Z_95 * p * (1 - p)) / n;
        expect(Math.abs(residual)).toBeLessThan(1e-15);
      }
    }
  });

  it("has exact 0 and 1 bounds at the edges", () => {
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(Z_95 ** 2 / (10 + Z_95 ** 2), 15);
    expect(wilsonInterval(10, 10).upper).toBe(1);
    expect(wilsonInterval(10, 10).lower).toBeCloseTo(10 / (10 + Z_95 ** 2), 15);
    expect(wilsonInterval(1, 1).lower).toBeCloseTo(1 / (1 + Z_95 ** 2), 15);
  });

  it("is symmetric about one half", () => {
    const low = wilsonInterval(3, 20);
    const high = wilsonInterval(17, 20);
    expect(low.lower).toBeCloseTo(1 - high.upper, 15);
    expect(low.upper).toBeCloseTo(1 - high.lower, 15);
    const middle = wilsonInterval(5, 10);
    expect(middle.lower + middle.upper).toBeCloseTo(1, 15);
  });

  it("widens with the level", () => {
    const narrow = wilsonInterval(30, 100, 0.8);
    const wide = wilsonInterval(30, 100, 0.99);
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
    expect(narrow.level).toBe(0.8);
  });

  it("covers p = 0.1 in about 95% of samples of 50", () => {
    const p = 0.1;
    const n = 50;

    // Exact coverage: the binomial probability of every x whose interval contains p.
    let exactCoverage = 0;
    for (let x = 0; x <= n; x += 1) {
      const interval = wilsonInterval(x, n);
      if (interval.lower <= p && p <= interval.upper) {
        exactCoverage += binomialPmf(x, n, p);
      }
    }
    // Wilson coverage oscillates with p; at p = 0.1 and n = 50 it is 0.9703.
    expect(exactCoverage).toBeGreaterThan(0.93);
    expect(exactCoverage).toBeLessThan(0.975);

    // Simulated coverage over 2,000 seeded samples.
    const random = new SeededRandom(20240601);
    const samples = 2000;
    let covered = 0;
    for (let sample = 0; sample < samples; sample += 1) {
      let successes = 0;
      for (let trial = 0; trial < n; trial += 1) {
        if (random.nextFloat() < p) {
          successes += 1;
        }
      }
      const interval = wilsonInterval(successes, n);
      if (interval.lower <= p && p <= interval.upper) {
        covered += 1;
      }
    }
    const simulatedCoverage = covered / samples;
    expect(simulatedCoverage).toBeGreaterThan(0.93);
    expect(simulatedCoverage).toBeLessThan(0.98);
    // Within four binomial standard errors of the exact coverage.
    const standardError = Math.sqrt((exactCoverage * (1 - exactCoverage)) / samples);
    expect(Math.abs(simulatedCoverage - exactCoverage)).toBeLessThan(4 * standardError);
  });

  it("rejects invalid counts and levels", () => {
    expect(() => wilsonInterval(-1, 10)).toThrow(
      /successes must be a non-negative integer, received -1/,
    );
    expect(() => wilsonInterval(11, 10)).toThrow(/successes \(11\) must not exceed n \(10\)/);
    expect(() => wilsonInterval(0, 0)).toThrow(/n must be at least 1, received 0/);
    expect(() => wilsonInterval(1.5, 10)).toThrow(/received 1.5/);
    expect(() => wilsonInterval(Number.NaN, 10)).toThrow(/received NaN/);
    expect(() => wilsonInterval(3, Number.POSITIVE_INFINITY)).toThrow(/received Infinity/);
    expect(() => wilsonInterval(3, 10, 95)).toThrow(
      /level must be strictly between 0 and 1, received 95/,
    );
    expect(() => wilsonInterval(3, 10, 0)).toThrow(StatsError);
    expect(() => wilsonInterval(3, 10, 1)).toThrow(StatsError);
    expect(() => wilsonInterval(3, 10, Number.NaN)).toThrow(/received NaN/);
  });

  it("gives errors a stable code and hint", () => {
    try {
      wilsonInterval(11, 10);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StatsError);
      const statsError = error as StatsError;
      expect(statsError.code).toBe("invalid_count");
      expect(statsError.parameter).toBe("successes");
      expect(statsError.value).toBe(11);
      expect(statsError.hint).toMatch(/numerator and denominator/);
    }
  });
});

describe("clopperPearsonInterval", () => {
  it("puts half of one minus the level in each binomial tail", () => {
    for (const [x, n] of [
      [81, 263],
      [1, 29],
      [5, 10],
      [14, 15],
    ] as const) {
      const interval = clopperPearsonInterval(x, n);
      // At the lower bound P(X ≥ x) = 0.025; at the upper bound P(X ≤ x) = 0.025.
      expect(1 - directCdf(x - 1, n, interval.lower)).toBeCloseTo(0.025, 12);
      expect(directCdf(x, n, interval.upper)).toBeCloseTo(0.025, 12);
    }
  });

  it("matches the closed forms at 0 and n", () => {
    for (const n of [1, 7, 20, 500]) {
      expect(clopperPearsonInterval(0, n).lower).toBe(0);
      expect(clopperPearsonInterval(0, n).upper).toBeCloseTo(1 - 0.025 ** (1 / n), 14);
      expect(clopperPearsonInterval(n, n).lower).toBeCloseTo(0.025 ** (1 / n), 14);
      expect(clopperPearsonInterval(n, n).upper).toBe(1);
    }
  });

  it("gives the known values for 81/263", () => {
    const interval = clopperPearsonInterval(81, 263);
    expect(interval.lower).toBeCloseTo(0.2527, 4);
    expect(interval.upper).toBeCloseTo(0.3676, 4);
    expect(interval.method).toBe("exact");
  });

  it("contains the Wilson interval's point estimate and is wider", () => {
    const exact = clopperPearsonInterval(81, 263);
    const wilson = wilsonInterval(81, 263);
    expect(exact.lower).toBeLessThan(wilson.lower);
    expect(exact.upper).toBeGreaterThan(wilson.upper);
  });

  it("covers at least the nominal level for every p on a grid", () => {
    const n = 30;
    const intervals = Array.from({ length: n + 1 }, (_, x) => clopperPearsonInterval(x, n));
    for (let p = 0.01; p < 1; p += 0.01) {
      let coverage = 0;
      intervals.forEach((interval, x) => {
        if (interval.lower <= p && p <= interval.upper) {
          coverage += binomialPmf(x, n, p);
        }
      });
      expect(coverage, `coverage at p=${p}`).toBeGreaterThanOrEqual(0.95 - 1e-12);
    }
  });

  it("handles 200,000 trials with one success", () => {
    const interval = clopperPearsonInterval(1, 200_000);
    // At the lower bound L, P(X ≥ 1) = 1 − (1 − L)^n = 0.025.
    expect(-Math.expm1(200_000 * Math.log1p(-interval.lower))).toBeCloseTo(0.025, 12);
    expect(interval.upper).toBeGreaterThan(1 / 200_000);
  });

  it("rejects invalid input", () => {
    expect(() => clopperPearsonInterval(3, 2)).toThrow(StatsError);
    expect(() => clopperPearsonInterval(0, 0)).toThrow(/n must be at least 1/);
    expect(() => clopperPearsonInterval(1, 2, -0.5)).toThrow(/received -0.5/);
  });
});
