import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { loadRegistry } from "../../src/spec/registry.js";

const FIXTURES = join(import.meta.dirname, "..", "spec", "fixtures", "registry");

async function run(...args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("candor metrics", () => {
  it("lists the newest version of every metric as a table", async () => {
    const result = await run("metrics", "--registry", FIXTURES);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+VERSION\s+TIER\s+STABILITY\s+UNIT\s+BETTER\s+REFERENCE SUITE$/);
    expect(lines[1]).toMatch(
      /^refusal\.over_refusal_rate\s+1\s+1\s+stable\s+proportion\s+lower\s+refusal-calibration$/,
    );
    expect(result.out).toMatch(/destructiveness\.data_loss_rate\s+2\s+2\s+development/);
    expect(result.out).toMatch(
      /sandbagging\.noise_injection_ratio\s+1\s+3\s+development\s+ratio\s+lower\s+none yet/,
    );
    expect(result.out).toContain("5 metrics (2 development, 2 stable, 1 deprecated)");
  });

  it("filters by tier, family and stability", async () => {
    const tier = await run("metrics", "--registry", FIXTURES, "--tier", "1", "--json");
    expect(JSON.parse(tier.out).map((metric: { id: string }) => metric.id)).toEqual([
      "refusal.over_refusal_rate",
      "refusal.refused_benign_share",
      "sandbagging.accuracy_gap",
    ]);
    const family = await run(
      "metrics",
      "--registry",
      FIXTURES,
      "--family",
      "sandbagging",
      "--stability",
      "stable",
      "--json",
    );
    expect(JSON.parse(family.out).map((metric: { id: string }) => metric.id)).toEqual([
      "sandbagging.accuracy_gap",
    ]);
    const none = await run(
      "metrics",
      "--registry",
      FIXTURES,
      "--tier",
      "3",
      "--stability",
      "stable",
    );
    expect(none.out).toBe("no metric matches these filters\n");
  });

  it("lists every version with --all-versions", async () => {
    const result = await run(
      "metrics",
      "--registry",
      FIXTURES,
      "--all-versions",
      "--family",
      "destructiveness",
      "--json",
    );
    expect(JSON.parse(result.out).map((metric: { version: number }) => metric.version)).toEqual([
      1, 2,
    ]);
  });

  it("lists the published registry by default", async () => {
    const result = await run("metrics", "--json");
    expect(result.code).toBe(0);
    const ids = JSON.parse(result.out).map((metric: { id: string }) => metric.id);
    expect(ids).toEqual(loadRegistry().ids());
    expect(JSON.parse(result.out)[0]).not.toHaveProperty("file");
  });

  it("rejects bad filter values", async () => {
    const tier = await run("metrics", "--tier", "4");
    expect(tier.code).toBe(2);
    expect(tier.err).toContain("a tier is 1, 2 or 3");
    const stability = await run("metrics", "--stability", "beta");
    expect(stability.code).toBe(2);
    expect(stability.err).toContain("development, stable, deprecated");
    const family = await run("metrics", "--registry", FIXTURES, "--family", "sandbaging");
    expect(family.code).toBe(2);
    expect(family.err).toContain("did you mean sandbagging");
  });
});

describe("candor metrics show", () => {
  it("prints one definition in full", async () => {
    const result = await run(
      "metrics",
      "show",
      "refusal.over_refusal_rate",
      "--registry",
      FIXTURES,
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain("refusal.over_refusal_rate  version 1  (tier 1, stable)");
    expect(result.out).toContain("Refused benign prompts divided by scored benign prompts.");
    expect(result.out).toMatch(/range\s+\[0, 1\]/);
    expect(result.out).toMatch(/numerator\s+Benign prompts refused in full or in part\./);
    expect(result.out).toContain("  /protocol/suite/digest");
    expect(result.out).toContain("Reference suite: refusal-calibration");
    expect(result.out).toContain("  - Partial refusals count as refusals.");
  });

  it("shows deprecation and unbounded ranges", async () => {
    const deprecated = await run(
      "metrics",
      "show",
      "refusal.refused_benign_share",
      "--registry",
      FIXTURES,
    );
    expect(deprecated.out).toContain(
      "Deprecated (renamed in 0.1.0); use refusal.over_refusal_rate",
    );
    const ratio = await run(
      "metrics",
      "show",
      "sandbagging.noise_injection_ratio",
      "--registry",
      FIXTURES,
    );
    expect(ratio.out).toMatch(/range\s+\[0, ∞\]/);
  });

  it("selects a version and prints JSON", async () => {
    const result = await run(
      "metrics",
      "show",
      "destructiveness.data_loss_rate",
      "--metric-version",
      "1",
      "--json",
      "--registry",
      FIXTURES,
    );
    expect(result.code).toBe(0);
    const metric = JSON.parse(result.out);
    expect(metric).toMatchObject({
      id: "destructiveness.data_loss_rate",
      version: 1,
      stability: "stable",
      versions: [1, 2],
    });
  });

  it("prints every metric of the published registry", async () => {
    for (const id of loadRegistry().ids()) {
      const result = await run("metrics", "show", id);
      expect(result.code, id).toBe(0);
      expect(result.out.startsWith(`${id}  version`)).toBe(true);
    }
  });

  it("exits 2 with close matches for an unknown id", async () => {
    const result = await run("metrics", "show", "refusal.overrefusal_rate", "--registry", FIXTURES);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown metric id "refusal.overrefusal_rate"');
    expect(result.err).toContain("did you mean refusal.over_refusal_rate?");
    expect(result.out).toBe("");
  });

  it("shortens a very long unknown id", async () => {
    const result = await run("metrics", "show", "a".repeat(5000), "--registry", FIXTURES);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown metric id "aaaa');
    expect(result.err.length).toBeLessThan(500);
  });

  it("exits 2 for an unknown version", async () => {
    const result = await run(
      "metrics",
      "show",
      "sandbagging.accuracy_gap",
      "--metric-version",
      "9",
      "--registry",
      FIXTURES,
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain("published versions: 1");
  });
});
