import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SPEC_DIR } from "../../src/paths.js";
import { loadTrustedKeys } from "../../src/report/sign/load.js";
import { envelopeUnwrapper } from "../../src/report/sign/unwrap.js";
import { loadRegistry } from "../../src/spec/registry.js";
import { RULES } from "../../src/spec/rules.js";
import { validateReportFile } from "../../src/spec/validate.js";
import { wilsonInterval } from "../../src/stats/wilson.js";

const CONFORMANCE_DIR = join(SPEC_DIR, "conformance");
const expected = JSON.parse(readFileSync(join(CONFORMANCE_DIR, "expected.json"), "utf8")) as Record<
  string,
  { valid: boolean; codes: string[]; keys?: string }
>;
const registry = loadRegistry([join(SPEC_DIR, "registry"), join(CONFORMANCE_DIR, "registry")]);

function vectorFiles(folder: "valid" | "invalid"): string[] {
  return readdirSync(join(CONFORMANCE_DIR, folder))
    .filter((name) => name.endsWith(".json"))
    .map((name) => `${folder}/${name}`)
    .sort();
}

/**
 * json.too_large needs a file above 16 MiB, which is too big to ship as a
 * vector. The JSON reader's and the CLI's tests generate one at run time.
 */
const CODES_WITHOUT_VECTOR = new Set(["json.too_large"]);

describe("conformance vectors", () => {
  it("list every vector file in expected.json and nothing else", () => {
    expect(Object.keys(expected).sort()).toEqual(
      [...vectorFiles("valid"), ...vectorFiles("invalid")].sort(),
    );
  });

  it("include at least 30 invalid vectors", () => {
    expect(vectorFiles("invalid").length).toBeGreaterThanOrEqual(30);
  });

  it("agree between folder and stated validity", () => {
    for (const [file, { valid }] of Object.entries(expected)) {
      expect(valid, file).toBe(file.startsWith("valid/"));
    }
  });

  it("cover every rule code", () => {
    const covered = new Set(Object.values(expected).flatMap((entry) => entry.codes));
    const missing = Object.keys(RULES).filter(
      (code) => !covered.has(code) && !CODES_WITHOUT_VECTOR.has(code),
    );
    expect(missing).toEqual([]);
    const unknown = [...covered].filter((code) => !(code in RULES));
    expect(unknown).toEqual([]);
  });

  it.each(Object.entries(expected))(
    "%s triggers exactly its codes",
    async (file, { valid, codes, keys }) => {
      // A vector that names a public key is an envelope to verify with it.
      const trustedKeys = await loadTrustedKeys(
        keys === undefined ? {} : { keyPath: join(CONFORMANCE_DIR, keys) },
      );
      const result = await validateReportFile(join(CONFORMANCE_DIR, file), {
        registry,
        unwrap: envelopeUnwrapper(trustedKeys),
      });
      const actual = [...new Set(result.problems.map((problem) => problem.code))].sort();
      expect(actual).toEqual([...codes].sort());
      expect(result.valid).toBe(valid);
    },
  );

  it("carry Wilson intervals that match their counts in valid vectors", () => {
    let checked = 0;
    for (const file of vectorFiles("valid")) {
      if (expected[file]?.codes.includes("interval.wilson_mismatch")) {
        continue;
      }
      const report = JSON.parse(readFileSync(join(CONFORMANCE_DIR, file), "utf8"));
      for (const result of report.results) {
        const groups = [
          result,
          ...(result.breakdowns ?? []).flatMap(
            (breakdown: { groups: unknown[] }) => breakdown.groups,
          ),
        ];
        for (const entry of groups) {
          if (entry.interval?.method !== "wilson") {
            continue;
          }
          const interval = wilsonInterval(entry.numerator, entry.sample_size, entry.interval.level);
          expect(entry.interval.lower, `${file} ${result.metric}`).toBeCloseTo(interval.lower, 4);
          expect(entry.interval.upper, `${file} ${result.metric}`).toBeCloseTo(interval.upper, 4);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe("spec/rules.md", () => {
  const page = readFileSync(join(SPEC_DIR, "rules.md"), "utf8");
  const documented = new Set(
    [...page.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map((match) => match[1] ?? ""),
  );

  it("documents every rule code", () => {
    expect(Object.keys(RULES).filter((code) => !documented.has(code))).toEqual([]);
  });

  it("documents no code the validator lacks", () => {
    expect([...documented].filter((code) => !(code in RULES))).toEqual([]);
  });

  it("states each rule's severity as the validator applies it", () => {
    for (const [code, rule] of Object.entries(RULES)) {
      const row = page.split("\n").find((line) => line.startsWith(`| \`${code}\` |`));
      expect(row?.split("|")[2]?.trim(), code).toBe(rule.severity);
    }
  });
});
