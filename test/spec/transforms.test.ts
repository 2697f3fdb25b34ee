import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTransforms, TransformError, upgradeReport } from "../../src/spec/transforms.js";
import { FIXTURE_TRANSFORMS_DIR, type ReportDraft } from "./reports.js";

const scratch = mkdtempSync(join(tmpdir(), "candor-transforms-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function oldReport(): ReportDraft {
  return {
    candor_version: "0.0.2",
    generator: "old-tool",
    publisher: { name: "P", relationship: "first_party", contact: "a@example.org" },
    results: [
      {
        metric: "refusal.overrefusal",
        metric_version: 3,
        status: "reported",
        value: 0.1,
        n: 100,
        suite_digest: "sha256:aa",
      },
      {
        metric: "other.metric",
        metric_version: 1,
        status: "reported",
        value: 0.2,
        n: 50,
        sample_size: 49,
      },
    ],
  };
}

function loadError(yaml: string): TransformError {
  const dir = mkdtempSync(join(scratch, "case-"));
  writeFileSync(join(dir, "t.yaml"), yaml);
  try {
    loadTransforms(dir);
  } catch (error) {
    if (error instanceof TransformError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected the transform to be rejected");
}

describe("transforms", () => {
  it("loads the published transforms folder", () => {
    // Version 0.1 is the first version of the standard, so nothing upgrades to it yet.
    expect(loadTransforms()).toEqual([]);
  });

  it("applies one step and leaves the input unchanged", () => {
    const transforms = loadTransforms(FIXTURE_TRANSFORMS_DIR);
    const input = oldReport();
    const { report, applied } = upgradeReport(input, transforms, "0.1.0");
    expect(input).toEqual(oldReport());
    expect(applied.map((step) => step.to_version)).toEqual(["0.1"]);
    expect(report).toEqual({
      candor_version: "0.1.0",
      publisher: { name: "P", relationship: "first_party", contact: "a@example.org" },
      results: [
        {
          metric: "refusal.over_refusal_rate",
          metric_version: 1,
          status: "reported",
          value: 0.1,
          sample_size: 100,
          protocol: { suite: { digest: "sha256:aa" } },
        },
        // The target member already exists, so the old one stays for the schema to report.
        {
          metric: "other.metric",
          metric_version: 1,
          status: "reported",
          value: 0.2,
          n: 50,
          sample_size: 49,
        },
      ],
    });
  });

  it("chains steps up to the target version", () => {
    const { report, applied } = upgradeReport(
      oldReport(),
      loadTransforms(FIXTURE_TRANSFORMS_DIR),
      "0.2.5",
    );
    expect(applied.map((step) => `${step.from_version}->${step.to_version}`)).toEqual([
      "0.0->0.1",
      "0.1->0.2",
    ]);
    expect((report as ReportDraft).candor_version).toBe("0.2.0");
    expect((report as ReportDraft).publisher).toEqual({
      name: "P",
      relationship: "first_party",
      email: "a@example.org",
    });
  });

  it("leaves current, newer and unmatched reports alone", () => {
    const transforms = loadTransforms(FIXTURE_TRANSFORMS_DIR);
    for (const version of ["0.1.0", "0.4.0", "1.0.0"]) {
      const input = { ...oldReport(), candor_version: version };
      const { report, applied } = upgradeReport(input, transforms, "0.1.0");
      expect(applied).toEqual([]);
      expect(report).toBe(input);
    }
    expect(upgradeReport("not a report", transforms, "0.1.0").applied).toEqual([]);
  });

  it("renames only the stated metric version when asked", () => {
    const dir = mkdtempSync(join(scratch, "versioned-"));
    writeFileSync(
      join(dir, "t.yaml"),
      'from_version: "0.0"\nto_version: "0.1"\ndescription: d\noperations:\n  - op: rename_metric\n    from: other.metric\n    to: other.renamed\n    from_metric_version: 2\n',
    );
    const { report } = upgradeReport(oldReport(), loadTransforms(dir), "0.1.0");
    expect((report as ReportDraft).results[1].metric).toBe("other.metric");
  });

  it("rejects malformed transform files", () => {
    expect(loadError("from_version: [").code).toBe("transform.unreadable");
    expect(loadError('from_version: "0.0"\nto_version: "0.1"\noperations: []\n').code).toBe(
      "transform.schema",
    );
    expect(
      loadError(
        'from_version: "0.0"\nto_version: "0.1"\ndescription: d\noperations:\n  - op: explode\n',
      ).code,
    ).toBe("transform.schema");
    expect(
      loadError('from_version: "0.2"\nto_version: "0.1"\ndescription: d\noperations: []\n').code,
    ).toBe("transform.invalid");
    expect(
      loadError(
        'from_version: "0.0"\nto_version: "0.1"\ndescription: d\noperations:\n  - op: rename_field\n    pointer_from: /results/*/a\n    pointer_to: /b\n',
      ).code,
    ).toBe("transform.invalid");
    expect(
      loadError(
        'from_version: "0.0"\nto_version: "0.1"\ndescription: d\noperations:\n  - op: remove_field\n    pointer: /__proto__/polluted\n',
      ).code,
    ).toBe("transform.invalid");
  });

  it("rejects two transforms from one version", () => {
    const dir = mkdtempSync(join(scratch, "twice-"));
    const text = 'from_version: "0.0"\nto_version: "0.1"\ndescription: d\noperations: []\n';
    writeFileSync(join(dir, "a.yaml"), text);
    writeFileSync(join(dir, "b.yaml"), text);
    expect(() => loadTransforms(dir)).toThrow(/also exists/);
  });
});
