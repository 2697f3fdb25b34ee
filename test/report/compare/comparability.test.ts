import { describe, expect, it } from "vitest";
import { comparability } from "../../../src/spec/comparability.js";
import type { Result } from "../../../src/spec/generated/report.js";

const SUITE = { id: "refusal-calibration", version: "1.0.0", digest: `sha256:${"a".repeat(64)}` };

function measured(
  overrides: Partial<Result> = {},
  elicitation: Record<string, unknown> = {},
): Result {
  return {
    metric: "refusal.over_refusal_rate",
    metric_version: 1,
    status: "reported",
    value: 0.2,
    sample_size: 200,
    numerator: 40,
    protocol: {
      suite: SUITE,
      elicitation: {
        system_prompt_digest: `sha256:${"e".repeat(64)}`,
        temperature: 0,
        max_tokens: 1024,
        tools: ["search", "calculator"],
        ...elicitation,
      },
      scorer: { kind: "rule", id: "candor.refusal-rules@1" },
    },
    ...overrides,
  };
}

describe("comparability", () => {
  it("is direct when version, suite and elicitation match", () => {
    const result = comparability(measured(), measured({ value: 0.3, numerator: 60 }));
    expect(result.class).toBe("direct");
    expect(result.reasons).toEqual([]);
  });

  it("ignores the order of the tools offered", () => {
    const result = comparability(measured(), measured({}, { tools: ["calculator", "search"] }));
    expect(result.class).toBe("direct");
  });

  it("names each elicitation field that differs", () => {
    const result = comparability(measured(), measured({}, { temperature: 0.7, reasoning: "high" }));
    expect(result.class).toBe("same_suite_different_elicitation");
    expect(result.reasons).toContain("temperature differs: 0 vs 0.7");
    expect(result.reasons).toContain("reasoning differs: not stated vs high");
  });

  it("treats unstated elicitation as a difference", () => {
    const bare = measured();
    bare.protocol = { suite: SUITE };
    const result = comparability(measured(), bare, { labels: ["A", "B"] });
    expect(result.class).toBe("same_suite_different_elicitation");
    expect(result.reasons[0]).toContain("elicitation not stated for B");
  });

  it("is not comparable across metric versions", () => {
    const result = comparability(measured(), measured({ metric_version: 2 }));
    expect(result.class).toBe("not_comparable");
    expect(result.reasons).toContain("metric version differs: 1 vs 2");
  });

  it("is not comparable across suite digests", () => {
    const other = measured();
    other.protocol = { ...other.protocol, suite: { ...SUITE, digest: `sha256:${"b".repeat(64)}` } };
    const result = comparability(measured(), other);
    expect(result.class).toBe("not_comparable");
    expect(result.reasons[0]).toContain("suite digest differs");
  });

  it("cannot confirm transcribed values equal", () => {
    const transcribed = (value: number, document: string): Result => ({
      metric: "hallucination.incorrect_rate",
      metric_version: 1,
      variant: "personqa",
      status: "reported",
      value,
      citation: { document, locator: "Table 3" },
    });
    const result = comparability(transcribed(0.2, "card-b"), transcribed(0.16, "card-c"), {
      labels: ["A", "B"],
    });
    expect(result.class).toBe("not_comparable");
    expect(result.reasons).toHaveLength(2);
    expect(result.reasons[0]).toContain("transcribed from card-b");
    expect(result.reasons[0]).toContain("cannot be confirmed equal");
  });

  it("is not comparable when one side has no value", () => {
    const result = comparability(measured(), {
      metric: "refusal.over_refusal_rate",
      metric_version: 1,
      status: "withheld",
    });
    expect(result.class).toBe("not_comparable");
    expect(result.reasons).toEqual(["second has no value (withheld)"]);
  });

  it("keeps the class but cautions on a different scorer", () => {
    const judged = measured();
    judged.protocol = {
      ...judged.protocol,
      scorer: { kind: "model_judge", judge_model: "judge-1" },
    };
    const result = comparability(measured(), judged);
    expect(result.class).toBe("direct");
    expect(result.cautions).toContain("scorer kind differs: rule vs model_judge");
  });
});

describe("comparability of unstated settings", () => {
  it("cannot confirm a required setting that neither side states", () => {
    const bare = (value: number): Result => ({
      ...measured({ value }),
      protocol: { suite: SUITE, elicitation: {} },
    });
    const result = comparability(bare(0.1), bare(0.2), { labels: ["A", "B"] });
    expect(result.class).toBe("same_suite_different_elicitation");
    expect(result.reasons).toContain(
      "temperature not stated for A and B, so it cannot be confirmed equal",
    );
  });

  it("treats an optional setting left out by both as equal", () => {
    const result = comparability(measured(), measured(), { requiredElicitation: ["temperature"] });
    expect(result.class).toBe("direct");
  });
});
