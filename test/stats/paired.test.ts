import { describe, expect, it } from "vitest";
import {
  mcnemarExact,
  pairedBootstrap,
  pairedMeanDifference,
  pairedProportionDifference,
  pairedProportionFromTable,
  SeededRandom,
  StatsError,
} from "../../src/stats/index.js";

const Z = 1.959963984540054;

function wilsonBounds(x: number, n: number): [number, number] {
  const center = 2 * x + Z * Z;
  const spread = Z * Math.sqrt(Z * Z + (4 * x * (n - x)) / n);
  const denominator = 2 * (n + Z * Z);
  return [(center - spread) / denominator, (center + spread) / denominator];
}

function pairsFromTable(both: number, firstOnly: number, secondOnly: number, neither: number) {
  const pairs: [0 | 1, 0 | 1][] = [];
  for (let i = 0; i < both; i += 1) pairs.push([1, 1]);
  for (let i = 0; i < firstOnly; i += 1) pairs.push([1, 0]);
  for (let i = 0; i < secondOnly; i += 1) pairs.push([0, 1]);
  for (let i = 0; i < neither; i += 1) pairs.push([0, 0]);
  return pairs;
}

describe("mcnemarExact", () => {
  it("matches the binomial sums for 1 vs 7 discordant pairs", () => {
    // X ~ Bin(8, 1/2): P(X ≤ 1) = 9/256 and P(X = 1) = 8/256.
    const result = mcnemarExact(1, 7);
    expect(result.pValue).toBeCloseTo(18 / 256, 15);
    expect(result.midPValue).toBeCloseTo(2 * (9 / 256 - 4 / 256), 15);
    expect(result.testName).toBe("mcnemar_exact");
  });

  it("is symmetric in the two discordant counts", () => {
    expect(mcnemarExact(7, 1).pValue).toBe(mcnemarExact(1, 7).pValue);
    expect(mcnemarExact(7, 1).midPValue).toBe(mcnemarExact(1, 7).midPValue);
  });

  it("gives 1 for balanced or no discordant pairs", () => {
    expect(mcnemarExact(0, 0)).toMatchObject({ pValue: 1, midPValue: 1 });
    expect(mcnemarExact(5, 5).pValue).toBe(1);
    expect(mcnemarExact(5, 5).midPValue).toBeCloseTo(1, 14);
  });

  it("handles one-sided tables", () => {
    // X ~ Bin(10, 1/2): P(X = 0) = 1/1024.
    expect(mcnemarExact(0, 10).pValue).toBeCloseTo(2 / 1024, 15);
    expect(mcnemarExact(0, 10).midPValue).toBeCloseTo(1 / 1024, 15);
  });

  it("matches a log-space sum for 100 vs 150", () => {
    const n = 250;
    let logCoefficient = n * Math.log(0.5);
    let tail = Math.exp(logCoefficient);
    for (let j = 1; j <= 100; j += 1) {
      logCoefficient += Math.log((n - j + 1) / j);
      tail += Math.exp(logCoefficient);
    }
    const result = mcnemarExact(100, 150);
    expect(Math.abs(result.pValue - 2 * tail) / (2 * tail)).toBeLessThan(1e-11);
    expect(result.midPValue).toBeLessThan(result.pValue);
  });

  it("rejects negative and fractional counts", () => {
    expect(() => mcnemarExact(-1, 3)).toThrow(
      /firstOnly must be a non-negative integer, received -1/,
    );
    expect(() => mcnemarExact(1, 2.5)).toThrow(/secondOnly/);
  });
});

describe("pairedProportionDifference", () => {
  it("reproduces Newcombe's paired method 10 by hand", () => {
    // 50 items: 36 correct under both framings, 12 only under the first,
    // 2 only under the second, 0 under neither.
    //   p1 = 48/50 = 0.96, Wilson (0.865399, 0.988961)
    //   p2 = 38/50 = 0.76, Wilson (0.625873, 0.857026)
    //   φ = (36·0 − 12·2) / sqrt(48 · 2 · 38 · 12) = −0.114708
    //   lower = 0.2 − sqrt(0.094601² − 2φ·0.094601·0.097026 + 0.097026²) = 0.056930
    //   upper = 0.2 + sqrt(0.028961² − 2φ·0.028961·0.134127 + 0.134127²) = 0.340428
    const [l1, u1] = wilsonBounds(48, 50);
    const [l2, u2] = wilsonBounds(38, 50);
    const phi = (36 * 0 - 12 * 2) / Math.sqrt(48 * 2 * 38 * 12);
    expect(phi).toBeCloseTo(-0.114708, 6);
    const d1 = 0.96 - l1;
    const d2 = u2 - 0.76;
    const e1 = u1 - 0.96;
    const e2 = 0.76 - l2;
    const lower = 0.2 - Math.sqrt(d1 ** 2 - 2 * phi * d1 * d2 + d2 ** 2);
    const upper = 0.2 + Math.sqrt(e1 ** 2 - 2 * phi * e1 * e2 + e2 ** 2);
    expect(lower).toBeCloseTo(0.05693, 5);
    expect(upper).toBeCloseTo(0.340428, 6);

    const result = pairedProportionDifference(pairsFromTable(36, 12, 2, 0), {
      interval: "newcombe",
    });
    expect(result.intervalFormula).toBe("newcombe");
    expect(result.difference).toBeCloseTo(0.2, 15);
    expect(result.lower).toBeCloseTo(lower, 14);
    expect(result.upper).toBeCloseTo(upper, 14);
    expect(result.p1).toBeCloseTo(0.96, 15);
    expect(result.p2).toBeCloseTo(0.76, 15);
    expect(result.n).toBe(50);
    expect(result.table).toEqual({ both: 36, firstOnly: 12, secondOnly: 2, neither: 0 });
    expect(result.method).toBe("paired");
    // McNemar on 12 vs 2: P(X ≤ 2) for X ~ Bin(14, 1/2) is (1 + 14 + 91) / 16384.
    expect(result.test.pValue).toBeCloseTo((2 * 106) / 16384, 15);
    expect(result.test.midPValue).toBeCloseTo((2 * (106 - 91 / 2)) / 16384, 15);
  });

  it("reduces to the independent form when φ is 0", () => {
    // A zero margin makes φ = 0. Here every item succeeds under the first framing.
    const result = pairedProportionFromTable(
      { both: 20, firstOnly: 10, secondOnly: 0, neither: 0 },
      { interval: "newcombe" },
    );
    const [l1, u1] = wilsonBounds(30, 30);
    const [l2, u2] = wilsonBounds(20, 30);
    expect(result.lower).toBeCloseTo(1 / 3 - Math.hypot(1 - l1, u2 - 2 / 3), 14);
    expect(result.upper).toBeCloseTo(Math.min(1, 1 / 3 + Math.hypot(u1 - 1, 2 / 3 - l2)), 14);
  });

  it("gives the same result from pairs and from the table", () => {
    const fromPairs = pairedProportionDifference(pairsFromTable(4, 9, 3, 11), { level: 0.9 });
    const fromTable = pairedProportionFromTable(
      { both: 4, firstOnly: 9, secondOnly: 3, neither: 11 },
      { level: 0.9 },
    );
    expect(fromPairs).toEqual(fromTable);
    expect(fromPairs.level).toBe(0.9);
  });

  it("handles one pair and identical outcomes", () => {
    const single = pairedProportionDifference([[1, 1]]);
    expect(single.difference).toBe(0);
    expect(single.lower).toBeLessThan(0);
    expect(single.upper).toBeGreaterThan(0);
    expect(single.test.pValue).toBe(1);

    // No discordant pairs: Tango's bounds are ±z² / (n + z²).
    const same = pairedProportionDifference(pairsFromTable(10, 0, 0, 10));
    expect(same.difference).toBe(0);
    expect(same.intervalFormula).toBe("tango");
    expect(same.lower).toBeCloseTo(-(Z * Z) / (20 + Z * Z), 14);
    expect(same.upper).toBeCloseTo((Z * Z) / (20 + Z * Z), 14);
  });

  it("shows method 10 collapsing without discordant pairs", () => {
    // φ = 1 here, so both distances vanish: the reason Tango's is the default.
    const same = pairedProportionFromTable(
      { both: 10, firstOnly: 0, secondOnly: 0, neither: 10 },
      { interval: "newcombe" },
    );
    expect(same.lower).toBeCloseTo(0, 15);
    expect(same.upper).toBeCloseTo(0, 15);
  });

  it("puts Tango's bounds where the score test has |T| = z", () => {
    // The constrained maximum-likelihood estimate is found here by a direct
    // numerical search of the multinomial log-likelihood, independently of
    // the closed-form quadratic the library solves.
    const table = { both: 21, firstOnly: 9, secondOnly: 3, neither: 17 };
    const n = 50;
    const b = table.firstOnly;
    const c = table.secondOnly;
    function scoreStatistic(delta: number): number {
      // Under p1 − p2 = δ the "first only" cell has probability q + δ when
      // "second only" has q, and the two concordant cells share 1 − 2q − δ, so
      // the profile likelihood depends on q alone.
      const logLikelihood = (q: number) =>
        b * Math.log(q + delta) + c * Math.log(q) + (n - b - c) * Math.log(1 - 2 * q - delta);
      let low = Math.max(0, -delta) + 1e-15;
      let high = (1 - delta) / 2 - 1e-15;
      for (let i = 0; i < 300; i += 1) {
        const m1 = low + (high - low) / 3;
        const m2 = high - (high - low) / 3;
        if (logLikelihood(m1) < logLikelihood(m2)) low = m1;
        else high = m2;
      }
      const q = (low + high) / 2;
      return (b - c - n * delta) / Math.sqrt(n * (2 * q + delta * (1 - delta)));
    }

    const result = pairedProportionFromTable(table);
    expect(result.difference).toBeCloseTo(0.12, 15);
    expect(scoreStatistic(result.lower)).toBeCloseTo(Z, 7);
    expect(scoreStatistic(result.upper)).toBeCloseTo(-Z, 7);
    // Newcombe's method 10 gives a similar interval on this table.
    const newcombe = pairedProportionFromTable(table, { interval: "newcombe" });
    expect(Math.abs(newcombe.lower - result.lower)).toBeLessThan(0.02);
    expect(Math.abs(newcombe.upper - result.upper)).toBeLessThan(0.02);
  });

  it("has exact coverage near 95% for correlated pairs", () => {
    // Cell probabilities both 0.5, first only 0.2, second only 0.1, neither
    // 0.2, so the true difference is 0.1. Coverage sums the multinomial
    // probability of every table of 60 pairs whose interval contains 0.1.
    const n = 60;
    const logP = [0.5, 0.2, 0.1, 0.2].map(Math.log);
    const logFactorial = [0];
    for (let i = 1; i <= n; i += 1) {
      logFactorial.push((logFactorial[i - 1] ?? 0) + Math.log(i));
    }

    let tangoCoverage = 0;
    let newcombeCoverage = 0;
    for (let a = 0; a <= n; a += 1) {
      for (let b = 0; a + b <= n; b += 1) {
        for (let c = 0; a + b + c <= n; c += 1) {
          const counts = [a, b, c, n - a - b - c];
          let logProbability = logFactorial[n] ?? 0;
          counts.forEach((count, cell) => {
            logProbability += count * (logP[cell] ?? 0) - (logFactorial[count] ?? 0);
          });
          const probability = Math.exp(logProbability);

          const table = { both: a, firstOnly: b, secondOnly: c, neither: n - a - b - c };
          const tango = pairedProportionFromTable(table);
          const newcombe = pairedProportionFromTable(table, { interval: "newcombe" });
          if (tango.lower <= 0.1 && 0.1 <= tango.upper) {
            tangoCoverage += probability;
          }
          if (newcombe.lower <= 0.1 && 0.1 <= newcombe.upper) {
            newcombeCoverage += probability;
          }
        }
      }
    }
    expect(tangoCoverage).toBeGreaterThan(0.93);
    expect(tangoCoverage).toBeLessThan(0.97);
    expect(newcombeCoverage).toBeGreaterThan(0.93);
    expect(newcombeCoverage).toBeLessThan(0.97);
  });

  it("rejects non-binary outcomes and empty input", () => {
    expect(() => pairedProportionDifference([[1, 2 as 0 | 1]])).toThrow(
      /pairs\[0\]\[1\] must be 0 or 1, received 2/,
    );
    expect(() => pairedProportionDifference([[Number.NaN as 0 | 1, 1]])).toThrow(/received NaN/);
    expect(() => pairedProportionDifference([])).toThrow(/at least 1 unit, received 0/);
    expect(() =>
      pairedProportionFromTable({ both: -1, firstOnly: 2, secondOnly: 0, neither: 0 }),
    ).toThrow(StatsError);
  });
});

describe("pairedMeanDifference", () => {
  it("matches a hand calculation with the closed-form t₄ CDF", () => {
    // Differences 1, 2, 3, 4, 5: mean 3, s = sqrt(2.5), SE = sqrt(0.5).
    const pairs: [number, number][] = [
      [3, 2],
      [2, 0],
      [4, 1],
      [9, 5],
      [5, 0],
    ];
    const result = pairedMeanDifference(pairs);
    expect(result.difference).toBe(3);
    expect(result.standardDeviation).toBeCloseTo(Math.sqrt(2.5), 15);
    expect(result.standardError).toBeCloseTo(Math.sqrt(0.5), 15);
    expect(result.degreesOfFreedom).toBe(4);
    // t(0.975, 4) = 2.7764451051977943 (mpmath).
    expect(result.lower).toBeCloseTo(3 - 2.7764451051977943 * Math.sqrt(0.5), 12);
    expect(result.upper).toBeCloseTo(3 + 2.7764451051977943 * Math.sqrt(0.5), 12);

    // With ν = 4 the CDF has the closed form F(−t) = 1/2 − (3/4)s + (1/4)s³
    // for s = t / sqrt(4 + t²).
    const t = 3 / Math.sqrt(0.5);
    const s = t / Math.sqrt(4 + t * t);
    const lowerTail = 0.5 - 0.75 * s + 0.25 * s ** 3;
    expect(result.statistic).toBeCloseTo(t, 14);
    expect(result.pValue).toBeCloseTo(2 * lowerTail, 12);
    expect(result.testName).toBe("paired_t");
  });

  it("clips the interval to the given range", () => {
    const pairs: [number, number][] = [
      [1, 0],
      [1, 0],
      [0, 0],
    ];
    const result = pairedMeanDifference(pairs, { range: [-1, 1] });
    expect(result.upper).toBe(1);
    expect(result.lower).toBeGreaterThan(-1);
  });

  it("handles differences with no spread", () => {
    const zero = pairedMeanDifference([
      [1, 1],
      [0, 0],
    ]);
    expect(zero.standardError).toBe(0);
    expect(zero.statistic).toBeNull();
    expect(zero.pValue).toBe(1);
    const shifted = pairedMeanDifference([
      [2, 1],
      [3, 2],
    ]);
    expect(shifted.pValue).toBe(0);
  });

  it("rejects fewer than two pairs and NaN", () => {
    expect(() => pairedMeanDifference([[1, 0]])).toThrow(/at least 2 units, received 1/);
    expect(() =>
      pairedMeanDifference([
        [1, Number.NaN],
        [0, 0],
      ]),
    ).toThrow(/pairs\[0\]\[1\] must be a finite number, received NaN/);
    expect(() =>
      pairedMeanDifference(
        [
          [3, 0],
          [0, 0],
        ],
        { range: [-1, 1] },
      ),
    ).toThrow(/must lie in \[-1, 1\], received 3/);
  });
});

describe("pairedBootstrap", () => {
  function samplePairs(seed: number, n: number): [number, number][] {
    const random = new SeededRandom(seed);
    return Array.from({ length: n }, () => {
      const first = random.nextFloat() < 0.7 ? 1 : 0;
      const second = random.nextFloat() < 0.55 ? 1 : 0;
      return [first, second];
    });
  }

  it("is deterministic for a seed", () => {
    const pairs = samplePairs(1, 200);
    const first = pairedBootstrap(pairs, { seed: 42, resamples: 2000 });
    const second = pairedBootstrap(pairs, { seed: 42, resamples: 2000 });
    const other = pairedBootstrap(pairs, { seed: 43, resamples: 2000 });
    expect(second).toEqual(first);
    expect(other.standardError).not.toBe(first.standardError);
    expect(first.seed).toBe(42);
    expect(first.method).toBe("bootstrap");
  });

  it("agrees with the normal interval for a mean difference", () => {
    const pairs = samplePairs(7, 400);
    const differences = pairs.map(([a, b]) => a - b);
    const mean = differences.reduce((sum, d) => sum + d, 0) / differences.length;
    // The bootstrap standard error estimates the plug-in SE sqrt(Σ(d − d̄)²) / n.
    const plugInSe =
      Math.sqrt(differences.reduce((sum, d) => sum + (d - mean) ** 2, 0)) / differences.length;

    const result = pairedBootstrap(pairs, { seed: 3, resamples: 20_000 });
    expect(result.difference).toBeCloseTo(mean, 15);
    expect(Math.abs(result.standardError / plugInSe - 1)).toBeLessThan(0.03);
    expect(Math.abs(result.lower - (mean - Z * plugInSe))).toBeLessThan(0.01);
    expect(Math.abs(result.upper - (mean + Z * plugInSe))).toBeLessThan(0.01);
  });

  it("widens when clusters share a shift", () => {
    // 40 clusters of 10 pairs; each cluster adds its own shift to the first
    // measurement, so the pairs of a cluster are correlated.
    const random = new SeededRandom(11);
    const pairs: [number, number][] = [];
    const clusters: string[] = [];
    for (let cluster = 0; cluster < 40; cluster += 1) {
      const shift = random.nextFloat() - 0.5;
      for (let item = 0; item < 10; item += 1) {
        pairs.push([shift + 0.1 * random.nextFloat(), 0.1 * random.nextFloat()]);
        clusters.push(`cluster-${cluster}`);
      }
    }
    const unclustered = pairedBootstrap(pairs, { seed: 5, resamples: 4000 });
    const clustered = pairedBootstrap(pairs, { seed: 5, resamples: 4000, clusters });
    expect(clustered.clusters).toBe(40);
    expect(unclustered.clusters).toBe(400);
    expect(clustered.standardError).toBeGreaterThan(2 * unclustered.standardError);
  });

  it("bootstraps a custom statistic", () => {
    const pairs = samplePairs(9, 300);
    const ratio = (first: Float64Array, second: Float64Array) => {
      const a = first.reduce((sum, value) => sum + value, 0);
      const b = second.reduce((sum, value) => sum + value, 0);
      return a / Math.max(b, 1);
    };
    const result = pairedBootstrap(pairs, { seed: 1, resamples: 1000, statistic: ratio });
    const observed = ratio(
      Float64Array.from(pairs.map((pair) => pair[0])),
      Float64Array.from(pairs.map((pair) => pair[1])),
    );
    expect(result.difference).toBeCloseTo(observed, 15);
    expect(result.lower).toBeLessThan(observed);
    expect(result.upper).toBeGreaterThan(observed);
  });

  it("rejects bad options and statistics", () => {
    const pairs = samplePairs(2, 20);
    expect(() => pairedBootstrap(pairs, { seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => pairedBootstrap(pairs, { seed: 1, resamples: 10 })).toThrow(
      /resamples must be an integer of at least 40 for level 0.95, received 10/,
    );
    expect(() => pairedBootstrap(pairs, { seed: 1, clusters: ["a"] })).toThrow(
      /pairs has 20 elements but clusters has 1/,
    );
    expect(() =>
      pairedBootstrap(pairs, { seed: 1, resamples: 100, statistic: () => Number.NaN }),
    ).toThrow(/the statistic returned NaN on the observed pairs/);
    expect(() => pairedBootstrap([], { seed: 1 })).toThrow(StatsError);
  });
});
