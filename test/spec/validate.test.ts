import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputOutputError } from "../../src/errors.js";
import { pruneToReportSchema } from "../../src/spec/schema.js";
import { loadTransforms } from "../../src/spec/transforms.js";
import { validateReport, validateReportFile } from "../../src/spec/validate.js";
import {
  codesOf,
  FIXTURE_TRANSFORMS_DIR,
  fixtureRegistry,
  measuredReport,
  proportionResult,
  type ReportDraft,
  sha256,
} from "./reports.js";

const registry = fixtureRegistry();
const scratch = mkdtempSync(join(tmpdir(), "candor-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tier2Report(): ReportDraft {
  const report = measuredReport();
  report.claimed_tier = 2;
  const agentic = proportionResult("destructiveness.data_loss_rate", 2, 150);
  agentic.protocol.elicitation.tools = ["bash"];
  report.results.push(agentic);
  return report;
}

describe("validateReport", () => {
  it("accepts a complete measured report", () => {
    const result = validateReport(measuredReport(), { registry });
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.claimedTier).toBe(1);
    expect(result.reachedTier).toBe(1);
    expect(result.assurance).toBe("self_reported");
    expect(result.candorVersion).toBe("0.1.0");
  });

  it("gives every problem a code, severity, pointer, value, message and hint", () => {
    const report = measuredReport();
    report.results[0].value = 7.1;
    const [problem] = validateReport(report, { registry }).problems.filter(
      (entry) => entry.code === "value.out_of_range",
    );
    expect(problem).toEqual({
      code: "value.out_of_range",
      severity: "error",
      pointer: "/results/0/value",
      value: 7.1,
      message: expect.stringContaining("7.1"),
      hint: expect.stringContaining("proportions as 0 to 1"),
    });
  });

  it("reports a non-object document as a schema type error", () => {
    const result = validateReport([], { registry });
    expect(codesOf(result.problems)).toEqual(["schema.type"]);
    expect(result.problems[0]?.pointer).toBe("");
    expect(result.reachedTier).toBe(0);
  });

  it("does not pile semantic problems onto a result with schema errors", () => {
    const report = measuredReport();
    report.results[0].value = "0.084";
    delete report.results[0].interval;
    const result = validateReport(report, { registry });
    expect(codesOf(result.problems)).toEqual(["schema.type"]);
  });

  it("skips relationship rules when the relationship is invalid", () => {
    const report = measuredReport();
    report.publisher.relationship = "vendor";
    delete report.model.weights_digest;
    const result = validateReport(report, { registry });
    expect(codesOf(result.problems)).toEqual(["schema.enum"]);
    expect(result.problems[0]?.hint).toContain("first_party, third_party, documentation");
  });

  it("points schema.required at the missing member and explains it", () => {
    const report = measuredReport();
    delete report.publisher.relationship;
    const [problem] = validateReport(report, { registry }).problems;
    expect(problem?.code).toBe("schema.required");
    expect(problem?.pointer).toBe("/publisher/relationship");
    expect(problem?.hint).toContain("first_party");
  });

  it("shortens long offending values", () => {
    const report = measuredReport();
    report.comment = "x".repeat(5000);
    const [problem] = validateReport(report, { registry }).problems;
    expect(problem?.code).toBe("schema.additional_property");
    expect(String(problem?.value).length).toBeLessThanOrEqual(120);
    expect(String(problem?.value).endsWith("…")).toBe(true);
  });

  it("names the successor of a deprecated metric", () => {
    const report = measuredReport();
    report.results.push({
      ...proportionResult("refusal.refused_benign_share", 21, 250),
      variant: "legacy",
    });
    const result = validateReport(report, { registry });
    expect(result.valid).toBe(true);
    expect(codesOf(result.problems)).toEqual(["result.deprecated_metric"]);
    expect(result.problems[0]?.severity).toBe("warning");
    expect(result.problems[0]?.message).toContain("refusal.over_refusal_rate");
  });

  it("suggests ids for an unknown metric", () => {
    const report = measuredReport();
    report.results.push({
      metric: "refusal.overrefusal_rate",
      metric_version: 1,
      status: "not_evaluated",
    });
    const [problem] = validateReport(report, { registry }).problems;
    expect(problem?.code).toBe("result.unknown_metric");
    expect(problem?.hint).toContain("refusal.over_refusal_rate");
  });

  it("requires each protocol field of the metric", () => {
    const report = measuredReport();
    delete report.results[1].test;
    const result = validateReport(report, { registry });
    expect(codesOf(result.problems)).toEqual(["protocol.field_missing"]);
    expect(result.problems[0]?.pointer).toBe("/results/1/test");
  });

  it("flags only a repeated variant", () => {
    const report = measuredReport();
    report.results.push({
      ...proportionResult("refusal.over_refusal_rate", 30, 250),
      variant: "strict_prompt",
    });
    expect(validateReport(report, { registry }).valid).toBe(true);
    report.results.push({
      ...proportionResult("refusal.over_refusal_rate", 30, 250),
      variant: "strict_prompt",
    });
    const result = validateReport(report, { registry });
    expect(codesOf(result.problems)).toEqual(["result.duplicate"]);
    expect(result.problems[0]?.pointer).toBe("/results/3");
  });

  it("allows values rounded as printed", () => {
    const report = measuredReport();
    // 21 / 250 = 0.084, printed with two decimals.
    report.results[0].value = 0.08;
    expect(codesOf(validateReport(report, { registry }).problems)).toEqual([]);
    report.results[0].value = 0.081;
    expect(codesOf(validateReport(report, { registry }).problems)).toEqual([
      "sample.numerator_mismatch",
    ]);
  });

  it("checks breakdown groups like results", () => {
    const report = measuredReport();
    report.results[0].breakdowns = [
      {
        dimension: "category",
        partition: true,
        groups: [
          { key: "a", value: 0.1, sample_size: 100, numerator: 10 },
          { key: "b", value: 0.08, sample_size: 150, numerator: 12 },
        ],
      },
    ];
    // 10 + 12 = 22, but the result's numerator is 21.
    expect(codesOf(validateReport(report, { registry }).problems)).toEqual([
      "sample.breakdown_mismatch",
    ]);
    report.results[0].breakdowns[0].groups[1] = {
      key: "b",
      value: 1.2,
      sample_size: 150,
      numerator: 160,
      interval: { lower: 0.2, upper: 0.1, level: 0.95, method: "wilson" },
    };
    expect(codesOf(validateReport(report, { registry }).problems)).toEqual([
      "interval.inverted",
      "sample.breakdown_mismatch",
      "sample.numerator_exceeds",
      "value.out_of_range",
    ]);
  });
});

describe("hostile reports", () => {
  it("handles a claimed tier of 1e308 at once", () => {
    const report = measuredReport();
    report.claimed_tier = 1e308;
    const result = validateReport(report, { registry });
    expect(codesOf(result.problems)).toContain("schema.maximum");
    expect(registry.requiredForTier(1e308)).toEqual(registry.requiredForTier(3));
  });

  it("checks a citation beside a null document entry", () => {
    const report = measuredReport();
    report.publisher.relationship = "documentation";
    report.documents = [null];
    report.results[0].citation = { document: "card", locator: "table 3" };
    const result = validateReport(report, { registry });
    expect(result.problems.map((problem) => `${problem.code} ${problem.pointer}`)).toEqual(
      expect.arrayContaining([
        "schema.type /documents/0",
        "citation.unknown_document /results/0/citation/document",
      ]),
    );
  });

  it("validates 10,000 broken results in seconds", () => {
    // Each result fails the schema, and every rule checks whether its members
    // are clean. A linear scan of the failed paths took about 48 s here.
    const report = measuredReport();
    const broken = proportionResult("refusal.over_refusal_rate", 21, 250);
    broken.value = "bad";
    report.results = Array.from({ length: 10_000 }, () => structuredClone(broken));
    const started = performance.now();
    const result = validateReport(report, { registry });
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.problems.filter((problem) => problem.code === "schema.type")).toHaveLength(
      10_000,
    );
  });
});

describe("pruneToReportSchema", () => {
  it("removes failing members and objects that lose a required one", () => {
    const report = measuredReport();
    report.results[0].protocol.scorer.kind = 5;
    report.results[0].interval = null;
    report.results[1].status = "maybe";
    report.model.name = 7;
    const keep = (pointer: string) => /^(|\/model|\/results(\/[0-9]+)?)$/.test(pointer);
    const pruned = pruneToReportSchema(report, keep) as ReportDraft;
    // The scorer lost its required kind, so the whole scorer goes.
    expect(pruned.results[0].protocol.scorer).toBeUndefined();
    expect(pruned.results[0].protocol.suite.id).toBe("refusal-calibration");
    expect(pruned.results[0].interval).toBeUndefined();
    expect(pruned.results[0].value).toBe(report.results[0].value);
    expect(pruned.results[1].status).toBeUndefined();
    expect(pruned.results).toHaveLength(2);
    expect(pruned.model.name).toBeUndefined();
    expect(pruned.model.developer).toBe("Fixture Labs");
    // The input is left as it was.
    expect(report.results[0].protocol.scorer.kind).toBe(5);
  });
});

describe("reached tier", () => {
  it("reaches tier 2 when complete", () => {
    const result = validateReport(tier2Report(), { registry });
    expect(result.problems).toEqual([]);
    expect(result.reachedTier).toBe(2);
  });

  it("stops below a tier with a withheld stable metric", () => {
    const report = tier2Report();
    report.results[0] = {
      metric: "refusal.over_refusal_rate",
      metric_version: 1,
      status: "withheld",
      reason: { code: "pending", text: "Published next month." },
    };
    const result = validateReport(report, { registry });
    expect(result.valid).toBe(true);
    expect(result.reachedTier).toBe(0);
  });

  it("can exceed the claimed tier but never a tier without stable metrics", () => {
    const report = tier2Report();
    report.claimed_tier = 1;
    expect(validateReport(report, { registry }).reachedTier).toBe(2);
    // The fixture registry has no stable tier-3 metric, so tier 3 is out of reach.
    report.claimed_tier = 3;
    expect(validateReport(report, { registry }).reachedTier).toBe(2);
  });

  it("does not count a result that has errors", () => {
    const report = tier2Report();
    report.results[2].interval.lower = 0.5;
    const result = validateReport(report, { registry });
    expect(result.valid).toBe(false);
    expect(result.reachedTier).toBe(1);
  });
});

describe("assurance", () => {
  function recomputableReport(relationship: string): ReportDraft {
    const report = measuredReport();
    report.publisher.relationship = relationship;
    for (const result of report.results) {
      result.outcomes = {
        path: "samples.jsonl",
        digest: sha256("samples"),
        count: result.sample_size,
      };
    }
    return report;
  }

  it("is self_reported without a verified signature", () => {
    expect(validateReport(recomputableReport("third_party"), { registry }).assurance).toBe(
      "self_reported",
    );
    expect(
      validateReport(recomputableReport("third_party"), {
        registry,
        signature: { verified: false },
      }).assurance,
    ).toBe("self_reported");
  });

  it("is publisher_signed when some measured result cannot be recomputed", () => {
    const report = recomputableReport("third_party");
    delete report.results[1].outcomes;
    expect(validateReport(report, { registry, signature: { verified: true } }).assurance).toBe(
      "publisher_signed",
    );
  });

  it("is recomputable for a signed first-party report with outcomes", () => {
    expect(
      validateReport(recomputableReport("first_party"), {
        registry,
        signature: { verified: true, signer: "lab" },
      }).assurance,
    ).toBe("recomputable");
  });

  it("is independent for a signed third-party report with outcomes", () => {
    expect(
      validateReport(recomputableReport("third_party"), { registry, signature: { verified: true } })
        .assurance,
    ).toBe("independent");
  });

  it("stops at publisher_signed for documentation reports", () => {
    const report = {
      ...measuredReport(),
      publisher: { name: "Transcriber", relationship: "documentation" },
      results: [
        { metric: "refusal.over_refusal_rate", metric_version: 1, status: "not_disclosed" },
        { metric: "sandbagging.accuracy_gap", metric_version: 1, status: "not_disclosed" },
      ],
    };
    const result = validateReport(report, { registry, signature: { verified: true } });
    expect(result.valid).toBe(true);
    expect(result.assurance).toBe("publisher_signed");
  });
});

describe("versions and transforms", () => {
  it("ignores unknown members of a newer minor version, with a warning", () => {
    const report = measuredReport();
    report.candor_version = "0.3.1";
    report.future_field = { anything: true };
    report.results[0].confidence_band = "narrow";
    const original = structuredClone(report);
    const result = validateReport(report, { registry });
    expect(result.valid).toBe(true);
    expect(codesOf(result.problems)).toEqual(["version.newer_minor"]);
    expect(result.reachedTier).toBe(1);
    expect(report).toEqual(original);
    expect(result.report).not.toHaveProperty("future_field");
  });

  it("rejects a future major version without checking further", () => {
    const result = validateReport({ candor_version: "2.0.0", anything: "else" }, { registry });
    expect(codesOf(result.problems)).toEqual(["version.unsupported_major"]);
    expect(result.problems[0]?.hint).toContain("upgrade Candor");
    expect(result.reachedTier).toBe(0);
  });

  it("upgrades an older report with transforms before validating", () => {
    const transforms = loadTransforms(FIXTURE_TRANSFORMS_DIR);
    const report = measuredReport();
    report.candor_version = "0.0.4";
    report.generator = "old-tool 0.3";
    const old = report.results[0];
    old.metric = "refusal.overrefusal";
    old.n = old.sample_size;
    delete old.sample_size;
    old.suite_digest = old.protocol.suite.digest;
    delete old.protocol.suite.digest;
    const original = structuredClone(report);

    const result = validateReport(report, { registry, transforms });
    expect(result.problems).toEqual([]);
    expect(result.upgrades.map((step) => `${step.from_version}->${step.to_version}`)).toEqual([
      "0.0->0.1",
    ]);
    expect(result.candorVersion).toBe("0.0.4");
    expect(report).toEqual(original);
    expect((result.report as ReportDraft).results[0].metric).toBe("refusal.over_refusal_rate");

    // Without the transform the same report is invalid.
    expect(validateReport(report, { registry, transforms: [] }).valid).toBe(false);
  });
});

describe("validateReportFile", () => {
  it("throws typed errors for a missing path, a folder and a FIFO", async () => {
    await expect(
      validateReportFile(join(scratch, "absent.json"), { registry }),
    ).rejects.toMatchObject({ code: "io.not_found" });
    await expect(validateReportFile(scratch, { registry })).rejects.toBeInstanceOf(
      InputOutputError,
    );
    await expect(validateReportFile(scratch, { registry })).rejects.toMatchObject({
      code: "io.is_directory",
    });
    const fifo = join(scratch, "pipe.json");
    if (spawnSync("mkfifo", [fifo]).status === 0) {
      await expect(validateReportFile(fifo, { registry })).rejects.toMatchObject({
        code: "io.not_a_file",
      });
    }
  });

  it("refuses a 50 MB file without reading it", async () => {
    const path = join(scratch, "huge.json");
    writeFileSync(path, "[");
    truncateSync(path, 50 * 1024 * 1024);
    const started = performance.now();
    const result = await validateReportFile(path, { registry });
    expect(performance.now() - started).toBeLessThan(500);
    expect(codesOf(result.problems)).toEqual(["json.too_large"]);
    expect(result.valid).toBe(false);
  });

  it("returns JSON problems as an invalid result", async () => {
    const path = join(scratch, "bom.json");
    writeFileSync(path, `\uFEFF${JSON.stringify(measuredReport())}`);
    const result = await validateReportFile(path, { registry });
    expect(codesOf(result.problems)).toEqual(["json.bom"]);
    expect(result.report).toBeUndefined();
  });

  it("checks outcomes files beside the report", async () => {
    const dir = mkdtempSync(join(scratch, "outcomes-"));
    const lines = `${Array.from({ length: 250 }, (_, index) => JSON.stringify({ item: index, score: index < 21 ? 1 : 0 })).join("\n")}\n`;
    writeFileSync(join(dir, "samples.jsonl"), lines);
    const report = measuredReport();
    report.results[0].outcomes = { path: "samples.jsonl", digest: sha256(lines), count: 250 };
    const path = join(dir, "report.json");
    writeFileSync(path, JSON.stringify(report));

    const good = await validateReportFile(path, { registry, signature: { verified: true } });
    expect(good.problems).toEqual([]);

    report.results[0].outcomes.count = 251;
    report.results[0].outcomes.digest = sha256("other");
    writeFileSync(path, JSON.stringify(report));
    const bad = await validateReportFile(path, { registry, signature: { verified: true } });
    expect(codesOf(bad.problems)).toEqual(["outcomes.count_mismatch", "outcomes.digest_mismatch"]);
  });

  it("says a link loop is a link loop", async () => {
    const path = join(scratch, "loop.json");
    symlinkSync(path, path);
    await expect(validateReportFile(path, { registry })).rejects.toMatchObject({
      code: "io.unreadable",
      message: expect.stringContaining("symbolic link loop"),
    });
  });

  it("refuses outcomes that are a FIFO or a device", async () => {
    const dir = mkdtempSync(join(scratch, "special-"));
    symlinkSync("/dev/zero", join(dir, "zero.jsonl"));
    const fifo = spawnSync("mkfifo", [join(dir, "pipe.jsonl")]).status === 0;
    const report = measuredReport();
    report.results[0].outcomes = { path: "zero.jsonl", digest: sha256(""), count: 1 };
    if (fifo) {
      report.results[1].outcomes = { path: "pipe.jsonl", digest: sha256(""), count: 1 };
    }
    const path = join(dir, "report.json");
    writeFileSync(path, JSON.stringify(report));
    const result = await validateReportFile(path, { registry });
    const outcomes = result.problems.filter((problem) => problem.code.startsWith("outcomes."));
    expect(outcomes.map((problem) => problem.message)).toEqual(
      [
        'outcomes path "zero.jsonl" is not a regular file',
        fifo ? 'outcomes path "pipe.jsonl" is not a regular file' : undefined,
      ].filter((message) => message !== undefined),
    );
  });

  it("rejects outcomes outside the report's folder, links included", async () => {
    const dir = mkdtempSync(join(scratch, "escape-"));
    const inner = join(dir, "report");
    mkdirSync(inner);
    writeFileSync(join(dir, "secret.jsonl"), "{}\n");
    symlinkSync(join(dir, "secret.jsonl"), join(inner, "link.jsonl"));
    const report = measuredReport();
    report.results[0].outcomes = { path: "../secret.jsonl", digest: sha256("{}\n"), count: 1 };
    report.results[1].outcomes = { path: "link.jsonl", digest: sha256("{}\n"), count: 1 };
    const path = join(inner, "report.json");
    writeFileSync(path, JSON.stringify(report));
    const result = await validateReportFile(path, { registry });
    expect(result.problems.map((problem) => `${problem.code} ${problem.pointer}`)).toEqual([
      "outcomes.path_outside /results/0/outcomes/path",
      "outcomes.path_outside /results/1/outcomes/path",
    ]);
  });
});
