import { describe, expect, it } from "vitest";
import { cohenKappa, type Label, StatsError } from "../../src/stats/index.js";

const Z = 1.959963984540054;

// Expands a confusion matrix of counts into the two raters' label lists.
function labelsFromTable(table: number[][], categories: Label[]): [Label[], Label[]] {
  const first: Label[] = [];
  const second: Label[] = [];
  table.forEach((row, i) => {
    row.forEach((count, j) => {
      for (let k = 0; k < count; k += 1) {
        first.push(categories[i] as Label);
        second.push(categories[j] as Label);
      }
    });
  });
  return [first, second];
}

// Kappa as a function of the cell shares, for the delta method below.
function kappaOf(shares: number[][]): number {
  const k = shares.length;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i += 1) {
    observed += shares[i]?.[i] ?? 0;
    const row = (shares[i] ?? []).reduce((sum, v) => sum + v, 0);
    const column = shares.reduce((sum, r) => sum + (r[i] ?? 0), 0);
    expected += row * column;
  }
  return (observed - expected) / (1 - expected);
}

// Multinomial delta method with a numerical gradient: Var = (Σ g² p − (Σ g p)²) / n.
function deltaMethodVariance(shares: number[][], n: number): number {
  const step = 1e-6;
  let sumSquares = 0;
  let sum = 0;
  shares.forEach((row, i) => {
    row.forEach((p, j) => {
      const plus = shares.map((r) => [...r]);
      const minus = shares.map((r) => [...r]);
      (plus[i] as number[])[j] = p + step;
      (minus[i] as number[])[j] = p - step;
      const gradient = (kappaOf(plus) - kappaOf(minus)) / (2 * step);
      sumSquares += gradient * gradient * p;
      sum += gradient * p;
    });
  });
  return (sumSquares - sum * sum) / n;
}

describe("cohenKappa", () => {
  it("gives 0.4 on the two-category textbook table", () => {
    // 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    // pₒ = 35/50 = 0.7, pₑ = 0.5·0.6 + 0.5·0.4 = 0.5, κ = 0.2 / 0.5 = 0.4.
    const [a, b] = labelsFromTable(
      [
        [20, 5],
        [10, 15],
      ],
      ["yes", "no"],
    );
    const result = cohenKappa(a, b, { categories: ["yes", "no"] });
    expect(result.kappa).toBeCloseTo(0.4, 15);
    expect(result.observedAgreement).toBeCloseTo(0.7, 15);
    expect(result.percentAgreement).toBeCloseTo(70, 13);
    expect(result.expectedAgreement).toBeCloseTo(0.5, 15);
    expect(result.n).toBe(50);
    expect(result.confusionMatrix).toEqual([
      [20, 5],
      [10, 15],
    ]);
    expect(result.agreementInterval.method).toBe("wilson");
  });

  it("matches a three-category diagnosis table", () => {
    // 100 patients diagnosed by two raters, row margins 0.8, 0.1, 0.1 and
    // column margins 0.8, 0.05, 0.15:
    // pₒ = 0.89, pₑ = 0.8·0.8 + 0.1·0.05 + 0.1·0.15 = 0.66, κ = 0.23/0.34.
    const counts = [
      [75, 1, 4],
      [5, 4, 1],
      [0, 0, 10],
    ];
    const categories = ["psychotic", "neurotic", "organic"];
    const [a, b] = labelsFromTable(counts, categories);
    const result = cohenKappa(a, b, { categories });
    expect(result.observedAgreement).toBeCloseTo(0.89, 15);
    expect(result.expectedAgreement).toBeCloseTo(0.66, 15);
    expect(result.kappa).toBeCloseTo(0.23 / 0.34, 14);

    const shares = counts.map((row) => row.map((count) => count / 100));
    expect(result.standardError).toBeCloseTo(Math.sqrt(deltaMethodVariance(shares, 100)), 8);
    expect(result.lower).toBeCloseTo(result.kappa - Z * result.standardError, 14);
    expect(result.upper).toBeCloseTo(result.kappa + Z * result.standardError, 14);
  });

  it("matches the delta method under independence for the null SE", () => {
    // With cell shares rᵢcⱼ the delta-method variance is the null variance.
    const counts = [
      [30, 12, 8],
      [9, 25, 6],
      [11, 3, 21],
    ];
    const [a, b] = labelsFromTable(counts, [0, 1, 2]);
    const result = cohenKappa(a, b);
    const n = 125;
    const rows = counts.map((row) => row.reduce((sum, v) => sum + v, 0) / n);
    const columns = [0, 1, 2].map((j) => counts.reduce((sum, row) => sum + (row[j] ?? 0), 0) / n);
    const independent = rows.map((r) => columns.map((c) => r * c));
    expect(result.standardErrorUnderNull).toBeCloseTo(
      Math.sqrt(deltaMethodVariance(independent, n)),
      8,
    );
    expect(result.standardError).toBeCloseTo(
      Math.sqrt(
        deltaMethodVariance(
          counts.map((row) => row.map((v) => v / n)),
          n,
        ),
      ),
      8,
    );
  });

  it("gives 1 with no spread for perfect agreement", () => {
    const labels = ["a", "b", "c", "a", "b"];
    const result = cohenKappa(labels, labels);
    expect(result.kappa).toBe(1);
    expect(result.standardError).toBeCloseTo(0, 7);
    expect(result.upper).toBe(1);
  });

  it("orders default categories and adds listed unused ones", () => {
    const result = cohenKappa([2, 10, "x", true], [10, 2, "x", true]);
    expect(result.categories).toEqual([2, 10, "x", true]);
    const padded = cohenKappa(["a", "b"], ["b", "a"], { categories: ["a", "b", "c"] });
    expect(padded.confusionMatrix).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(padded.kappa).toBeCloseTo(-1, 15);
  });

  it("handles a single item", () => {
    const result = cohenKappa(["a"], ["b"]);
    expect(result.kappa).toBe(0);
    expect(result.observedAgreement).toBe(0);
  });

  it("rejects undefined kappa and bad labels", () => {
    expect(() => cohenKappa(["a", "a"], ["a", "a"])).toThrow(
      /Cohen's kappa is undefined because both raters used the single category "a" for every item/,
    );
    expect(() => cohenKappa(["a"], ["a", "b"])).toThrow(/labelsA has 1 elements but labelsB has 2/);
    expect(() => cohenKappa([], [])).toThrow(/at least 1 unit/);
    expect(() => cohenKappa(["a", null as unknown as Label], ["a", "b"])).toThrow(
      /labelsA\[1\] must be a string, a finite number or a boolean, received null/,
    );
    expect(() => cohenKappa([Number.NaN], [1])).toThrow(/received NaN/);
    expect(() => cohenKappa(["a"], ["z"], { categories: ["a"] })).toThrow(
      /labelsB\[0\] is "z", which is not in the categories option/,
    );
    expect(() => cohenKappa(["a"], ["b"], { level: 2 })).toThrow(StatsError);
  });
});
