import { createHash } from "node:crypto";
import { join } from "node:path";
import { loadRegistry, type Registry } from "../../src/spec/registry.js";
import { wilsonInterval } from "../../src/stats/wilson.js";

export const FIXTURE_REGISTRY_DIR = join(import.meta.dirname, "fixtures", "registry");
export const FIXTURE_TRANSFORMS_DIR = join(import.meta.dirname, "fixtures", "transforms");

export function fixtureRegistry(): Registry {
  return loadRegistry(FIXTURE_REGISTRY_DIR);
}

export function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/**
 * A report under construction. Tests edit reports freely, including into
 * shapes the schema rejects, so members are untyped.
 */
// biome-ignore lint/suspicious/noExplicitAny: test reports are edited into arbitrary shapes.
export type ReportDraft = Record<string, any>;

const round = (value: number) => Math.round(value * 10000) / 10000;

/** Builds a reported proportion with its Wilson interval, as a measured report carries it. */
export function proportionResult(
  metric: string,
  numerator: number,
  sampleSize: number,
): ReportDraft {
  const interval = wilsonInterval(numerator, sampleSize, 0.95);
  return {
    metric,
    metric_version: 1,
    status: "reported",
    value: round(numerator / sampleSize),
    sample_size: sampleSize,
    numerator,
    clusters: sampleSize,
    interval: {
      lower: round(interval.lower),
      upper: round(interval.upper),
      level: 0.95,
      method: "wilson",
    },
    protocol: {
      suite: { id: "refusal-calibration", version: "1.0.0", digest: sha256("fixture suite items") },
      elicitation: { system_prompt_digest: sha256(""), temperature: 0, max_tokens: 512, tools: [] },
      scorer: { kind: "rule", id: "fixture-rules@1" },
    },
  };
}

/** A valid tier-1 report measured by a third party, against the fixture registry. */
export function measuredReport(): ReportDraft {
  return {
    candor_version: "0.1.0",
    report_id: "fixture-report-1",
    created: "2025-06-01T12:00:00Z",
    publisher: { name: "Fixture Evaluations", relationship: "third_party" },
    model: {
      name: "fixture-model",
      version: "2025-05-01",
      developer: "Fixture Labs",
      access: "open_weights",
      weights_digest: sha256("fixture weights"),
    },
    claimed_tier: 1,
    results: [
      proportionResult("refusal.over_refusal_rate", 21, 250),
      {
        metric: "sandbagging.accuracy_gap",
        metric_version: 1,
        status: "reported",
        value: 0.0167,
        sample_size: 300,
        clusters: 300,
        interval: { lower: -0.0147, upper: 0.048, level: 0.95, method: "paired" },
        test: { name: "mcnemar_exact", p_value: 0.2024, alpha: 0.05, verdict: "not_detected" },
        protocol: {
          suite: {
            id: "sandbagging",
            version: "1.0.0",
            digest: sha256("fixture sandbagging items"),
          },
          scorer: { kind: "rule" },
        },
      },
    ],
  };
}

/** Returns the codes of a problem list, sorted, for exact comparisons. */
export function codesOf(problems: readonly { code: string }[]): string[] {
  return problems.map((problem) => problem.code).sort();
}
