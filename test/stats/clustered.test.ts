import { describe, expect, it } from "vitest";
import {
  type ClusteredUnit,
  clusteredMean,
  clusteredProportion,
  macroAverage,
  normalQuantile,
  SeededRandom,
  StatsError,
} from "../../src/stats/index.js";

const Z = 1.959963984540054;

function units(clusters: Record<string, number[]>): ClusteredUnit[] {
  return Object.entries(clusters).flatMap(([cluster, values]) =>
    values.map((value) => ({ cluster, value })),
  );
}

describe("clusteredMean", () => {
  it("matches a hand calculation", () => {
    // Mean 4/8 = 0.5. Residual sums per cluster: a = 3·0.5 = 1.5,
    // b = −0.5·3 = −1.5, c = 0.5 − 0.5 = 0. SE = sqrt(1.5² + 1.5² + 0²) / 8.
    const result = clusteredMean(units({ a: [1, 1, 1], b: [0, 0, 0], c: [1, 0] }));
    const standardError = Math.sqrt(4.5) / 8;
    expect(result.value).toBe(0.5);
    expect(result.n).toBe(8);
    expect(result.clusters).toBe(3);
    expect(result.standardError).toBeCloseTo(standardError, 15);
    expect(result.lower).toBeCloseTo(0.5 - Z * standardError, 14);
    expect(result.upper).toBeCloseTo(0.5 + Z * standardError, 14);
    expect(result.method).toBe("clustered");
    expect(result.intervalFormula).toBe("normal");
    // Independent variance would be Σ(x − x̄)² / n² = 8·0.25 / 64.
    expect(result.designEffect).toBeCloseTo(4.5 / 2, 14);
  });

  it("reduces to the plug-in standard error for singleton clusters", () => {
    const values = [0.2, 0.9, 0.4, 0.4, 0.75, 0.1];
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    const sumOfSquares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
    const result = clusteredMean(values.map((value, index) => ({ cluster: index, value })));
    expect(result.standardError).toBeCloseTo(Math.sqrt(sumOfSquares) / values.length, 15);
    expect(result.designEffect).toBeCloseTo(1, 15);
  });

  it("counts perfectly correlated clusters as single units", () => {
    // 10 clusters of 7 identical outcomes, 3 of them all 1: the clustered SE
    // equals the SE of 10 independent outcomes, sqrt(p(1 − p) / 10).
    const clusters: Record<string, number[]> = {};
    for (let c = 0; c < 10; c += 1) {
      clusters[`item-${c}`] = new Array(7).fill(c < 3 ? 1 : 0);
    }
    const result = clusteredMean(units(clusters));
    expect(result.value).toBeCloseTo(0.3, 15);
    expect(result.standardError).toBeCloseTo(Math.sqrt((0.3 * 0.7) / 10), 15);
    expect(result.designEffect).toBeCloseTo(7, 12);
  });

  it("applies the small-sample factor G / (G − 1)", () => {
    const data = units({ a: [1, 0, 1], b: [0, 0], c: [1, 1, 1, 0], d: [0] });
    const plain = clusteredMean(data);
    const corrected = clusteredMean(data, { smallSampleCorrection: true });
    expect(corrected.standardError).toBeCloseTo(plain.standardError * Math.sqrt(4 / 3), 15);
    expect(() => clusteredMean(units({ a: [1, 0] }), { smallSampleCorrection: true })).toThrow(
      /at least 2 clusters/,
    );
  });

  it("clips the interval to the range and uses the level", () => {
    const data = units({ a: [1, 1], b: [1, 0], c: [1, 1] });
    const result = clusteredMean(data, { range: [0, 1], level: 0.99 });
    expect(result.upper).toBe(1);
    expect(result.level).toBe(0.99);
    const wide = clusteredMean(data, { level: 0.99 });
    expect(wide.upper).toBeGreaterThan(1);
    expect(result.lower).toBeCloseTo(wide.lower, 15);
    expect(wide.upper - wide.value).toBeCloseTo(-normalQuantile(0.005) * wide.standardError, 14);
  });

  it("covers the true mean when clusters share an effect", () => {
    // 80 clusters of 6 scores: score = cluster effect + noise, true mean 0.
    // The clustered interval should cover near 95%; one that ignores the
    // clusters covers far less.
    const random = new SeededRandom(7);
    const normal = () => normalQuantile((random.nextUint32() + 0.5) / 4294967296);
    let clusteredCovers = 0;
    let naiveCovers = 0;
    const replications = 600;
    for (let r = 0; r < replications; r += 1) {
      const data: ClusteredUnit[] = [];
      for (let c = 0; c < 80; c += 1) {
        const effect = normal();
        for (let i = 0; i < 6; i += 1) {
          data.push({ cluster: c, value: effect + 0.5 * normal() });
        }
      }
      const clustered = clusteredMean(data);
      if (clustered.lower <= 0 && 0 <= clustered.upper) clusteredCovers += 1;
      const naive = clusteredMean(
        data.map((unit, index) => ({ cluster: index, value: unit.value })),
      );
      if (naive.lower <= 0 && 0 <= naive.upper) naiveCovers += 1;
    }
    expect(clusteredCovers / replications).toBeGreaterThan(0.92);
    expect(clusteredCovers / replications).toBeLessThan(0.975);
    expect(naiveCovers / replications).toBeLessThan(0.7);
  });

  it("rejects invalid units", () => {
    expect(() => clusteredMean([])).toThrow(/units needs at least 1 unit, received 0/);
    expect(() => clusteredMean([{ cluster: "a", value: Number.NaN }])).toThrow(
      /units\[0\]\.value must be a finite number, received NaN/,
    );
    expect(() => clusteredMean([{ cluster: null as unknown as string, value: 1 }])).toThrow(
      /units\[0\]\.cluster must be a string or a finite number, received null/,
    );
    expect(() => clusteredMean([{ cluster: "a", value: 2 }], { range: [0, 1] })).toThrow(
      /must lie in \[0, 1\], received 2/,
    );
    expect(() => clusteredMean([{ cluster: "a", value: 0 }], { range: [1, 0] })).toThrow(
      StatsError,
    );
    expect(() => clusteredMean([{ cluster: "a", value: 0 }], { level: 1.5 })).toThrow(/level/);
  });
});

describe("clusteredProportion", () => {
  it("matches clusteredMean for binary outcomes", () => {
    const data = units({ a: [1, 0, 1], b: [0, 0], c: [1, 1, 1, 0] });
    const proportion = clusteredProportion(data);
    const mean = clusteredMean(data, { range: [0, 1] });
    expect(proportion).toEqual(mean);
  });

  it("uses the worst-case Wilson bound when every outcome is 0", () => {
    // Equal cluster sizes: the effective sample size is the 5 clusters.
    const none = clusteredProportion(
      units({ a: [0, 0], b: [0, 0], c: [0, 0], d: [0, 0], e: [0, 0] }),
    );
    expect(none.value).toBe(0);
    expect(none.standardError).toBe(0);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo((Z * Z) / (5 + Z * Z), 15);
    expect(none.intervalFormula).toBe("wilson_worst_case");

    // Sizes 1, 1 and 8: Kish's effective size is 10² / (1 + 1 + 64) = 100 / 66.
    const all = clusteredProportion(units({ a: [1], b: [1], c: [1, 1, 1, 1, 1, 1, 1, 1] }));
    const effective = 100 / 66;
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(effective / (effective + Z * Z), 15);
  });

  it("rejects non-binary values", () => {
    expect(() => clusteredProportion([{ cluster: "a", value: 0.5 }])).toThrow(
      /units\[0\]\.value must be 0 or 1 for a proportion, received 0.5/,
    );
  });
});

describe("macroAverage", () => {
  it("averages cluster means with a t interval over them", () => {
    // Cluster means 1, 0.5, 0.25 and 0.25 whatever the cluster sizes.
    const result = macroAverage(units({ a: [1, 1, 1, 1], b: [1, 0], c: [1, 0, 0, 0], d: [0.25] }), {
      range: [0, 1],
    });
    const means = [1, 0.5, 0.25, 0.25];
    const mean = 0.5;
    const sd = Math.sqrt(means.reduce((sum, m) => sum + (m - mean) ** 2, 0) / 3);
    const standardError = sd / 2;
    // t(0.975, 3) = 3.182446305284263 (mpmath).
    expect(result.value).toBeCloseTo(mean, 15);
    expect(result.standardError).toBeCloseTo(standardError, 15);
    expect(result.degreesOfFreedom).toBe(3);
    expect(result.lower).toBeCloseTo(Math.max(0, mean - 3.182446305284263 * standardError), 12);
    expect(result.upper).toBeCloseTo(Math.min(1, mean + 3.182446305284263 * standardError), 12);
    expect(result.clusters).toBe(4);
    expect(result.n).toBe(11);
    expect(result.method).toBe("t");
    expect(result.clusterMeans).toEqual([
      { cluster: "a", mean: 1, n: 4 },
      { cluster: "b", mean: 0.5, n: 2 },
      { cluster: "c", mean: 0.25, n: 4 },
      { cluster: "d", mean: 0.25, n: 1 },
    ]);
  });

  it("differs from the pooled mean when clusters differ in size", () => {
    const data = units({ big: new Array(9).fill(1), small: [0] });
    expect(macroAverage(data).value).toBe(0.5);
    expect(clusteredMean(data).value).toBe(0.9);
  });

  it("needs at least two clusters", () => {
    expect(() => macroAverage(units({ only: [1, 0, 1] }))).toThrow(
      /at least 2 clusters are needed to estimate the variance between clusters, received 1/,
    );
    expect(() => macroAverage([])).toThrow(StatsError);
  });
});
