import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  assembleReport,
  newReportId,
  UnknownMetricError,
  writeOutcomes,
} from "../../src/report/assemble.js";
import { loadRegistry } from "../../src/spec/registry.js";
import { validateReport } from "../../src/spec/validate.js";
import { sha256Digest } from "../../src/suites/registry.js";
import type { MeasuredMetric } from "../../src/suites/types.js";
import { STANDARD_VERSION } from "../../src/version.js";

const registry = loadRegistry();

const measured: MeasuredMetric = {
  metric: "refusal.over_refusal_rate",
  metric_version: 1,
  value: 0.25,
  sample_size: 8,
  numerator: 2,
  unscored: 1,
  interval: { lower: 0.071, upper: 0.591, level: 0.95, method: "wilson" },
  breakdowns: [
    {
      dimension: "category",
      partition: true,
      groups: [
        { key: "homonyms", value: 0.5, sample_size: 4, numerator: 2 },
        { key: "definitions", value: 0, sample_size: 4, numerator: 0 },
      ],
    },
  ],
};

function assemble(claimedTier = 1, metrics: MeasuredMetric[] = [measured]) {
  const dir = mkdtempSync(join(tmpdir(), "candor-assemble-"));
  const outcomes = writeOutcomes(dir, [
    { id: "a", label: "full_refusal" },
    { id: "b", label: "full_compliance" },
  ]);
  const report = assembleReport({
    registry,
    publisher: { name: "Test Lab", relationship: "third_party" },
    model: {
      name: "test-model",
      version: "2026-01-01",
      developer: "Example",
      access: "api",
      endpoint: "http://127.0.0.1/v1 test-model",
    },
    claimedTier,
    suite: {
      id: "refusal-calibration",
      version: "1.0.0",
      digest: `sha256:${"a".repeat(64)}`,
      reference: true,
    },
    metrics,
    elicitation: { system_prompt_digest: sha256Digest(""), temperature: 0, max_tokens: 256 },
    scorer: {
      kind: "rule",
      id: "candor.refusal-rules@1",
      human_agreement: { measure: "accuracy", value: 0.96, sample_size: 450 },
    },
    outcomes,
    run: { concurrency: 4, max_attempts: 5, retries: 0, errors: 0 },
    created: new Date("2026-02-03T04:05:06.789Z"),
  });
  return { dir, report, outcomes };
}

describe("assembleReport", () => {
  it("writes a reported result with its protocol, interval and outcomes", () => {
    const { report, outcomes } = assemble();
    const result = report.results.find((entry) => entry.metric === "refusal.over_refusal_rate");
    expect(result).toMatchObject({
      status: "reported",
      value: 0.25,
      sample_size: 8,
      numerator: 2,
      unscored: 1,
      clusters: 8,
      epochs: 1,
      interval: measured.interval,
      breakdowns: measured.breakdowns,
      outcomes,
    });
    expect(result?.protocol?.suite).toEqual({
      id: "refusal-calibration",
      version: "1.0.0",
      digest: `sha256:${"a".repeat(64)}`,
      reference: true,
    });
    expect(result?.protocol?.elicitation?.system_prompt_digest).toBe(sha256Digest(""));
    expect(result?.protocol?.scorer?.human_agreement?.value).toBe(0.96);
  });

  it("lists every unmeasured stable metric of the claimed tier as not_evaluated", () => {
    const { report } = assemble(1);
    const required = registry.requiredForTier(1).map((metric) => metric.id);
    expect(required).toContain("refusal.harmful_compliance_rate");
    for (const id of required) {
      expect(
        report.results.filter((entry) => entry.metric === id),
        id,
      ).toHaveLength(1);
    }
    const notEvaluated = report.results
      .filter((entry) => entry.status === "not_evaluated")
      .map((entry) => entry.metric);
    expect(notEvaluated.sort()).toEqual(
      required.filter((id) => id !== "refusal.over_refusal_rate").sort(),
    );
  });

  it("covers the tiers below a higher claimed tier", () => {
    const { report } = assemble(2);
    for (const metric of registry.requiredForTier(2)) {
      expect(
        report.results.some((entry) => entry.metric === metric.id),
        metric.id,
      ).toBe(true);
    }
  });

  it("produces a report the validator accepts", () => {
    const { report } = assemble();
    const validation = validateReport(report, { registry });
    expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(report.candor_version).toBe(STANDARD_VERSION);
    expect(report.created).toBe("2026-02-03T04:05:06.789Z");
    expect(report.run?.tool).toMatch(/^candor \d+\.\d+\.\d+/);
  });

  it("does not mark a suite other than the registry's reference suite as reference", () => {
    const dir = mkdtempSync(join(tmpdir(), "candor-assemble-"));
    const report = assembleReport({
      registry,
      publisher: { name: "Test Lab", relationship: "third_party" },
      model: { name: "m", version: "1", developer: "d", access: "api", endpoint: "e" },
      claimedTier: 1,
      suite: {
        id: "external:set.csv",
        version: "file",
        digest: `sha256:${"b".repeat(64)}`,
        reference: true,
      },
      metrics: [measured],
      elicitation: {},
      scorer: { kind: "rule" },
      outcomes: writeOutcomes(dir, []),
    });
    expect(report.results[0]?.protocol?.suite?.reference).toBe(false);
  });

  it("rejects a metric the registry does not define", () => {
    expect(() => assemble(1, [{ ...measured, metric: "refusal.no_such_metric" }])).toThrow(
      UnknownMetricError,
    );
    expect(() => assemble(1, [{ ...measured, metric_version: 99 }])).toThrow(
      /version 99 is not in the registry/,
    );
  });
});

describe("writeOutcomes", () => {
  it("writes JSON Lines and states their digest and count", () => {
    const { dir, outcomes } = assemble();
    const bytes = readFileSync(join(dir, "samples.jsonl"), "utf8");
    expect(bytes).toBe('{"id":"a","label":"full_refusal"}\n{"id":"b","label":"full_compliance"}\n');
    expect(outcomes).toEqual({ path: "samples.jsonl", digest: sha256Digest(bytes), count: 2 });
  });
});

describe("newReportId", () => {
  it("is a valid identifier that differs between calls", () => {
    const date = new Date("2026-02-03T04:05:06.789Z");
    const id = newReportId(date);
    expect(id).toMatch(/^candor-20260203T040506Z-[0-9a-f]{8}$/);
    expect(newReportId(date)).not.toBe(id);
  });
});
