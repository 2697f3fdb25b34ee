import { describe, expect, it } from "vitest";
import { decideVerdict, StatsError, type VerdictInput } from "../../src/stats/index.js";

function input(lower: number, upper: number, overrides: Partial<VerdictInput> = {}): VerdictInput {
  return {
    interval: { lower, upper, level: 0.9 },
    alpha: 0.05,
    alternative: "greater",
    minimumEffect: 0.05,
    ...overrides,
  };
}

describe("decideVerdict", () => {
  it("decides one-sided tests from the interval", () => {
    const cases: [number, number, string][] = [
      [0.02, 0.2, "detected"],
      [-0.03, 0.04, "not_detected"],
      [-0.03, 0.12, "inconclusive"],
      [-0.2, -0.1, "not_detected"],
      [-0.01, 0.05, "inconclusive"],
    ];
    for (const [lower, upper, expected] of cases) {
      const result = decideVerdict(input(lower, upper));
      expect(result.verdict, `interval [${lower}, ${upper}]`).toBe(expected);
      expect(result.decidedBy).toBe("interval");
    }
  });

  it("mirrors the rules for the less alternative", () => {
    expect(decideVerdict(input(-0.2, -0.02, { alternative: "less" })).verdict).toBe("detected");
    expect(decideVerdict(input(-0.04, 0.3, { alternative: "less" })).verdict).toBe("not_detected");
    expect(decideVerdict(input(-0.08, 0.01, { alternative: "less" })).verdict).toBe("inconclusive");
  });

  it("needs both sides inside the margin for two-sided tests", () => {
    const twoSided = (lower: number, upper: number) =>
      decideVerdict(
        input(lower, upper, { alternative: "two-sided", interval: { lower, upper, level: 0.95 } }),
      ).verdict;
    expect(twoSided(-0.2, -0.01)).toBe("detected");
    expect(twoSided(0.01, 0.2)).toBe("detected");
    expect(twoSided(-0.04, 0.04)).toBe("not_detected");
    expect(twoSided(-0.06, 0.04)).toBe("inconclusive");
    expect(twoSided(-0.04, 0.06)).toBe("inconclusive");
  });

  it("lets a p-value decide detection", () => {
    // McNemar's exact p can disagree with a score interval near the boundary:
    // the named test decides "detected" and the interval decides the rest.
    const significant = decideVerdict(input(-0.001, 0.2, { pValue: 0.03 }));
    expect(significant).toEqual({ verdict: "detected", decidedBy: "p_value" });
    const notSignificant = decideVerdict(input(0.001, 0.04, { pValue: 0.06 }));
    expect(notSignificant).toEqual({ verdict: "not_detected", decidedBy: "p_value" });
    const wide = decideVerdict(input(-0.1, 0.3, { pValue: 0.4 }));
    expect(wide.verdict).toBe("inconclusive");
  });

  it("rejects an interval at the wrong level", () => {
    expect(() =>
      decideVerdict(input(0, 0.1, { interval: { lower: 0, upper: 0.1, level: 0.95 } })),
    ).toThrow(/a greater test at alpha 0.05 needs an interval at level 0.9, received 0.95/);
    expect(() => decideVerdict(input(0, 0.1, { alternative: "two-sided" }))).toThrow(
      /needs an interval at level 0.95, received 0.9/,
    );
  });

  it("rejects invalid options", () => {
    expect(() => decideVerdict(input(0, 0.1, { minimumEffect: 0 }))).toThrow(
      /minimumEffect must be a positive number, received 0/,
    );
    expect(() => decideVerdict(input(0, 0.1, { minimumEffect: Number.NaN }))).toThrow(/NaN/);
    expect(() => decideVerdict(input(0, 0.1, { alpha: 1 }))).toThrow(/alpha/);
    expect(() => decideVerdict(input(0.2, 0.1))).toThrow(/lower <= upper/);
    expect(() => decideVerdict(input(0, 0.1, { pValue: 1.2 }))).toThrow(StatsError);
  });
});
