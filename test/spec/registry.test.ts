import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadRegistry, RegistryError } from "../../src/spec/registry.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "registry");
const scratch = mkdtempSync(join(tmpdir(), "candor-registry-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const refusalYaml = readFileSync(join(FIXTURES, "refusal.yaml"), "utf8");

/** Writes files into a fresh folder and returns its path. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "case-"));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function loadError(dir: string | string[]): RegistryError {
  try {
    loadRegistry(dir);
  } catch (error) {
    if (error instanceof RegistryError) {
      return error;
    }
    throw error;
  }
  throw new Error("expected the registry to be rejected");
}

describe("loadRegistry", () => {
  it("loads the published registry", () => {
    const registry = loadRegistry();
    expect(registry.metrics.length).toBeGreaterThanOrEqual(18);
    for (const metric of registry.metrics) {
      expect(metric.id.startsWith(`${metric.family}.`)).toBe(true);
    }
    expect(registry.stableForTier(1).length).toBeGreaterThan(0);
  });

  it("reads every family of a folder", () => {
    const registry = loadRegistry(FIXTURES);
    expect(registry.families.map((family) => family.family)).toEqual([
      "destructiveness",
      "refusal",
      "sandbagging",
    ]);
    expect(registry.metrics).toHaveLength(6);
    expect(registry.ids()).toEqual([
      "refusal.over_refusal_rate",
      "refusal.refused_benign_share",
      "sandbagging.accuracy_gap",
      "destructiveness.data_loss_rate",
      "sandbagging.noise_injection_ratio",
    ]);
  });

  it("looks up metrics by id and version", () => {
    const registry = loadRegistry(FIXTURES);
    expect(registry.get("destructiveness.data_loss_rate")?.version).toBe(2);
    expect(registry.getVersion("destructiveness.data_loss_rate", 1)?.stability).toBe("stable");
    expect(registry.getVersion("destructiveness.data_loss_rate", 3)).toBeUndefined();
    expect(
      registry.versions("destructiveness.data_loss_rate").map((metric) => metric.version),
    ).toEqual([1, 2]);
    expect(registry.get("no.such_metric")).toBeUndefined();
    expect(registry.versions("no.such_metric")).toEqual([]);
  });

  it("lists stable metrics per tier, newest stable version of each", () => {
    const registry = loadRegistry(FIXTURES);
    expect(registry.stableForTier(1).map((metric) => metric.id)).toEqual([
      "refusal.over_refusal_rate",
      "sandbagging.accuracy_gap",
    ]);
    // Version 2 is in development, so version 1 stays the stable definition.
    expect(registry.stableForTier(2).map((metric) => `${metric.id}@${metric.version}`)).toEqual([
      "destructiveness.data_loss_rate@1",
    ]);
    expect(registry.stableForTier(3)).toEqual([]);
    expect(registry.requiredForTier(2)).toHaveLength(3);
  });

  it("suggests close ids", () => {
    const registry = loadRegistry(FIXTURES);
    expect(registry.suggest("refusal.overrefusal_rate")).toEqual(["refusal.over_refusal_rate"]);
    expect(registry.suggest("accuracy_gap")).toContain("sandbagging.accuracy_gap");
    expect(registry.suggest("zzzz")).toEqual([]);
  });

  it("merges several folders", () => {
    const extra = folder({ "extra.yaml": refusalYaml.replaceAll("refusal", "extra") });
    const registry = loadRegistry([FIXTURES, extra]);
    expect(registry.get("extra.over_extra_rate")).toBeDefined();
    expect(registry.sources).toEqual([FIXTURES, extra]);
  });

  it("rejects a schema violation naming file, pointer and line", () => {
    const dir = folder({
      "refusal.yaml": refusalYaml.replace(
        "    tier: 1\n    stability: stable",
        "    tier: 4\n    stability: stable",
      ),
    });
    const error = loadError(dir);
    expect(error.code).toBe("registry.schema");
    expect(error.file).toBe(join(dir, "refusal.yaml"));
    expect(error.pointer).toBe("/metrics/0/tier");
    expect(error.line).toBe(8);
    expect(error.message).toContain("refusal.yaml:8");
  });

  it("rejects a member the schema does not define", () => {
    const dir = folder({
      "refusal.yaml": refusalYaml.replace(
        "    tier: 1\n    stability: stable",
        "    tier: 1\n    owner: someone\n    stability: stable",
      ),
    });
    const error = loadError(dir);
    expect(error.code).toBe("registry.schema");
    expect(error.pointer).toBe("/metrics/0/owner");
  });

  it("rejects YAML syntax errors and duplicate keys", () => {
    expect(loadError(folder({ "refusal.yaml": "family: [unclosed\n" })).code).toBe("registry.yaml");
    const duplicate = loadError(
      folder({ "refusal.yaml": refusalYaml.replace("title:", "family: again\ntitle:") }),
    );
    expect(duplicate.code).toBe("registry.yaml");
    expect(duplicate.line).toBe(2);
  });

  it("rejects an id outside its family", () => {
    const error = loadError(
      folder({
        "refusal.yaml": refusalYaml.replace(
          "id: refusal.over_refusal_rate",
          "id: sycophancy.over_refusal_rate",
        ),
      }),
    );
    expect(error.code).toBe("registry.family_mismatch");
    expect(error.pointer).toBe("/metrics/0/id");
  });

  it("rejects an id and version defined twice", () => {
    const firstMetric = refusalYaml.slice(
      refusalYaml.indexOf("  - id: refusal.over_refusal_rate"),
      refusalYaml.indexOf("  - id: refusal.refused_benign_share"),
    );
    const error = loadError(folder({ "refusal.yaml": `${refusalYaml}${firstMetric}` }));
    expect(error.code).toBe("registry.duplicate_metric");
    expect(error.message).toContain("refusal.over_refusal_rate");
  });

  it("rejects a family defined in two files", () => {
    expect(loadError(folder({ "a.yaml": refusalYaml, "b.yaml": refusalYaml })).code).toBe(
      "registry.duplicate_family",
    );
  });

  it("requires a deprecation entry exactly when deprecated", () => {
    const missing = refusalYaml.replace(/ {4}deprecation:\n(?: {6}.*\n)+/, "");
    expect(loadError(folder({ "refusal.yaml": missing })).code).toBe("registry.deprecation");

    const extra = refusalYaml.replace(
      "    stability: stable\n",
      "    stability: stable\n    deprecation:\n      reason: obsolete\n      note: not really\n",
    );
    const error = loadError(folder({ "refusal.yaml": extra }));
    expect(error.code).toBe("registry.deprecation");
    expect(error.pointer).toBe("/metrics/0/deprecation");
  });

  it("rejects a successor that does not exist", () => {
    const error = loadError(
      folder({
        "refusal.yaml": refusalYaml.replace(
          "successor: refusal.over_refusal_rate",
          "successor: refusal.gone",
        ),
      }),
    );
    expect(error.code).toBe("registry.unknown_successor");
  });

  it("rejects an inverted range", () => {
    const error = loadError(
      folder({ "refusal.yaml": refusalYaml.replace("range: [0, 1]", "range: [1, 0]") }),
    );
    expect(error.code).toBe("registry.range_inverted");
  });

  it("rejects a missing or empty folder", () => {
    expect(loadError(join(scratch, "absent")).code).toBe("registry.not_found");
    const empty = join(scratch, "empty");
    mkdirSync(empty);
    expect(loadError(empty).code).toBe("registry.empty");
  });
});
