import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { PACKAGE_ROOT } from "../../src/paths.js";

const CONFORMANCE = join(PACKAGE_ROOT, "spec", "conformance");
const REGISTRY_OPTIONS = [
  "--registry",
  join(PACKAGE_ROOT, "spec", "registry"),
  "--registry",
  join(CONFORMANCE, "registry"),
];
const scratch = mkdtempSync(join(tmpdir(), "candor-cli-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = bufferIO({ cwd: scratch });
  const started = performance.now();
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err(), seconds: (performance.now() - started) / 1000 };
}

function vector(name: string): string {
  return join(CONFORMANCE, name);
}

describe("candor validate", () => {
  it("prints VALID, the tier reached and the assurance level", async () => {
    const result = await run("validate", vector("valid/third-party-tier1.json"));
    expect(result.code).toBe(0);
    expect(result.out).toContain("third-party-tier1.json: VALID");
    expect(result.out).toContain("claimed tier 1, reached tier 1, assurance self_reported");
    expect(result.err).toBe("");
  });

  it("prints each problem on one line with its hint", async () => {
    const result = await run("validate", vector("invalid/result-missing.json"));
    expect(result.code).toBe(1);
    const lines = result.out.split("\n");
    expect(lines[0]).toMatch(/result-missing\.json: INVALID$/);
    expect(lines[1]).toMatch(
      /^ {2}error {4}result\.missing {2}\/results {2}stable tier-1 metric "sycophancy\.capitulation_rate" has no result.*\("sycophancy\.capitulation_rate"\)$/,
    );
    expect(lines[2]).toMatch(/^ {6}hint: add a result for it/);
    expect(lines[3]).toBe("  claimed tier 1, reached tier 0, assurance self_reported");
  });

  it("keeps a file with only warnings valid", async () => {
    const result = await run(
      "validate",
      ...REGISTRY_OPTIONS,
      vector("valid/deprecated-metric.json"),
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain("VALID");
    expect(result.out).toMatch(/warning {2}result\.deprecated_metric {2}\/results\/10\/metric/);
  });

  it("checks every file and summarises", async () => {
    const result = await run(
      "validate",
      vector("valid/variants.json"),
      vector("invalid/interval-inverted.json"),
    );
    expect(result.code).toBe(1);
    expect(result.out).toContain("variants.json: VALID");
    expect(result.out).toContain("interval-inverted.json: INVALID");
    expect(result.out).toContain("2 files: 1 valid, 1 invalid");
  });

  it("prints one JSON document with --json", async () => {
    const result = await run(
      "validate",
      "--json",
      vector("valid/first-party-tier2.json"),
      vector("invalid/sample-clusters-exceed.json"),
      "absent.json",
    );
    expect(result.code).toBe(2);
    const output = JSON.parse(result.out);
    expect(output.valid).toBe(false);
    expect(output.files).toHaveLength(3);
    expect(output.files[0]).toMatchObject({
      valid: true,
      claimed_tier: 2,
      reached_tier: 2,
      assurance: "self_reported",
      candor_version: "0.1.0",
      problems: [],
    });
    expect(output.files[1].problems).toEqual([
      {
        code: "sample.clusters_exceed",
        severity: "error",
        pointer: "/results/0/clusters",
        value: 300,
        message: "clusters (300) is larger than sample_size (250)",
        hint: expect.any(String),
      },
    ]);
    expect(output.files[2]).toMatchObject({
      path: "absent.json",
      valid: false,
      error: { code: "io.not_found" },
    });
  });

  it("exits 2 without files or with a bad registry folder", async () => {
    expect((await run("validate")).code).toBe(2);
    const badRegistry = await run(
      "validate",
      "--registry",
      "nowhere",
      vector("valid/variants.json"),
    );
    expect(badRegistry.code).toBe(2);
    expect(badRegistry.err).toContain("registry folder");
  });
});

describe("candor validate on bad input", () => {
  const base = JSON.stringify({ candor_version: "0.1.0", report_id: "r", results: [] });
  const cases: {
    name: string;
    file: string;
    write?: (path: string) => void;
    code: number;
    rule: string;
  }[] = [
    {
      name: "not JSON",
      file: "text.json",
      write: (path) => writeFileSync(path, "candor report\n"),
      code: 1,
      rule: "json.syntax",
    },
    {
      name: "an empty file",
      file: "empty.json",
      write: (path) => writeFileSync(path, ""),
      code: 1,
      rule: "json.empty",
    },
    {
      name: "a directory",
      file: "folder.json",
      write: (path) => mkdirSync(path),
      code: 2,
      rule: "io.is_directory",
    },
    { name: "a missing path", file: "missing.json", code: 2, rule: "io.not_found" },
    {
      name: "a 50 MB document",
      file: "large.json",
      write: (path) => writeFileSync(path, `{"notes":"${"x".repeat(50 * 1024 * 1024)}"}`),
      code: 1,
      rule: "json.too_large",
    },
    {
      name: "100,000 levels of nesting",
      file: "deep.json",
      write: (path) => writeFileSync(path, `${"[".repeat(100_000)}${"]".repeat(100_000)}`),
      code: 1,
      rule: "json.too_deep",
    },
    {
      name: "a __proto__ key",
      file: "proto.json",
      write: (path) =>
        writeFileSync(path, '{"candor_version":"0.1.0","__proto__":{"polluted":true}}'),
      code: 1,
      rule: "json.forbidden_key",
    },
    {
      name: "NaN",
      file: "nan.json",
      write: (path) => writeFileSync(path, '{"value": NaN}'),
      code: 1,
      rule: "json.non_finite",
    },
    {
      name: "Infinity",
      file: "infinity.json",
      write: (path) => writeFileSync(path, '{"value": -Infinity}'),
      code: 1,
      rule: "json.non_finite",
    },
    {
      name: "a byte-order mark",
      file: "bom.json",
      write: (path) => writeFileSync(path, `\uFEFF${base}`),
      code: 1,
      rule: "json.bom",
    },
    {
      name: "duplicate keys",
      file: "duplicate.json",
      write: (path) => writeFileSync(path, '{"candor_version":"0.1.0","candor_version":"0.1.0"}'),
      code: 1,
      rule: "json.duplicate_key",
    },
    {
      name: "a claimed tier of 1e308",
      file: "huge-tier.json",
      write: (path) => writeFileSync(path, '{"candor_version":"0.1.0","claimed_tier":1e308}'),
      code: 1,
      rule: "schema.maximum",
    },
    {
      name: "a link loop",
      file: "loop.json",
      write: (path) => symlinkSync(path, path),
      code: 2,
      rule: "symbolic link loop",
    },
    {
      name: "a future major version",
      file: "future.json",
      write: (path) =>
        writeFileSync(path, JSON.stringify({ candor_version: "3.0.0", everything: "different" })),
      code: 1,
      rule: "version.unsupported_major",
    },
  ];

  beforeAll(() => {
    for (const entry of cases) {
      entry.write?.(join(scratch, entry.file));
    }
  });

  it.each(cases)("handles $name", async ({ file, code, rule }) => {
    const result = await run("validate", file);
    expect(result.code).toBe(code);
    expect(result.seconds).toBeLessThan(5);

    const output = `${result.out}${result.err}`;
    // One line carries the rule; no stack trace is printed.
    const ruleLines = output.split("\n").filter((line) => line.includes(rule));
    expect(ruleLines).toHaveLength(1);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain("internal error");
    if (code === 2) {
      expect(result.err).toContain(file);
    } else {
      expect(result.out).toContain(`${file}: INVALID`);
    }
  });

  it("prints no control or bidirectional override character from a report", async () => {
    writeFileSync(
      join(scratch, "controls.json"),
      JSON.stringify({ candor_version: "0.1.0", report_id: "a\u202eb\u001b[31mc\u2028d" }),
    );
    const result = await run("validate", "controls.json");
    expect(result.code).toBe(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the check is for control characters
    expect(result.out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2028]/);
    expect(result.out).toContain("a\ufffdb");
  });

  it("never pollutes Object.prototype", () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("candor validate through the built binary", () => {
  // Builds into a scratch folder beside links to spec/ and node_modules/, so
  // the test neither needs nor disturbs the repository's dist/.
  const root = join(scratch, "package");

  beforeAll(() => {
    mkdirSync(join(root, "bin"), { recursive: true });
    copyFileSync(join(PACKAGE_ROOT, "bin", "candor.js"), join(root, "bin", "candor.js"));
    for (const name of ["package.json", "spec", "node_modules"]) {
      symlinkSync(join(PACKAGE_ROOT, name), join(root, name));
    }
    // tsc writes every file even when another module has type errors, so its exit code is not checked.
    spawnSync(
      join(PACKAGE_ROOT, "node_modules", ".bin", "tsc"),
      ["-p", join(PACKAGE_ROOT, "tsconfig.build.json"), "--outDir", join(root, "dist")],
      {
        encoding: "utf8",
      },
    );
  }, 180_000);

  it("validates files and sets the exit code", () => {
    expect(existsSync(join(root, "dist", "cli", "commands", "validate.js"))).toBe(true);
    const candor = (...args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin", "candor.js"), ...args], {
        cwd: CONFORMANCE,
        encoding: "utf8",
      });

    const valid = candor("validate", "valid/third-party-tier1.json");
    expect(valid.status).toBe(0);
    expect(valid.stdout).toContain("claimed tier 1, reached tier 1, assurance self_reported");

    const invalid = candor("validate", "--json", "invalid/json-bom.json");
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stdout).files[0].problems[0].code).toBe("json.bom");

    const missing = candor("validate", "nothing-here.json");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("nothing-here.json does not exist");
  });
});
