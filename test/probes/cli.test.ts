import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
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
import { checkResultSchema } from "../../src/probes/result.js";
import { checkReportSchema } from "../../src/spec/schema.js";
import { writePlantedData } from "./planted.js";
import { generateRows, npyFile, plantProblem } from "./synthetic.js";

const folder = mkdtempSync(join(tmpdir(), "candor-probe-cli-"));
const path = (name: string) => join(folder, name);
let files: { activations: string; index: string };

beforeAll(() => {
  const data = writePlantedData(folder, [{ format: "npy", dtype: "float32" }]);
  files = data.files["npy-float32"] as { activations: string; index: string };
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = bufferIO({ cwd: folder });
  const code = await main(["probe", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const baseReport = {
  candor_version: "0.1.0",
  report_id: "planted-1",
  created: "2026-01-01T00:00:00Z",
  publisher: { name: "Candor tests", relationship: "first_party" },
  model: { name: "planted", version: "1", developer: "Candor tests", access: "internal" },
  claimed_tier: 1,
  results: [],
};

describe("candor probe commands", () => {
  it("train, eval, apply and report on planted data", async () => {
    const common = ["--activations", files.activations, "--index", files.index];
    const train = await run(
      "train",
      ...common,
      "--layer",
      "12",
      "--set",
      "train",
      "-o",
      "probe.json",
    );
    expect(train.err).toBe("");
    expect(train.code).toBe(0);
    expect(train.out).toContain("trained logistic_regression on layer 12");
    const probe = JSON.parse(readFileSync(path("probe.json"), "utf8"));
    expect(probe.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(probe.training.stop).toBe("gradient_tolerance");

    const evaluation = await run(
      "eval",
      "--probe",
      "probe.json",
      ...common,
      "--set",
      "validation",
      "--target-fpr",
      "0.01",
      "--json",
      "-o",
      "eval.json",
    );
    expect(evaluation.code).toBe(0);
    const evalOutput = JSON.parse(evaluation.out);
    expect(evalOutput.validation.auroc.value).toBeGreaterThan(0.85);
    expect(evalOutput.calibration.target_false_positive_rate).toBe(0.01);
    // --json sends progress to stderr as one JSON object per line.
    const progress = evaluation.err
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(progress.at(-1)).toMatchObject({ type: "progress", phase: "read" });

    const apply = await run(
      "apply",
      "--probe",
      "probe.json",
      ...common,
      "--set",
      "target",
      "--eval",
      "eval.json",
      "-o",
      "apply.json",
    );
    expect(apply.code).toBe(0);
    expect(apply.out).toMatch(/activation rate \d+\/2000 = /);

    const report = await run(
      "report",
      "--eval",
      "eval.json",
      "--apply",
      "apply.json",
      "--metric",
      "probe.deception_activation_rate",
      "--suite-id",
      "planted-target",
      "-o",
      "result.json",
    );
    expect(report.err).toBe("");
    expect(report.code).toBe(0);
    const result = JSON.parse(readFileSync(path("result.json"), "utf8"));
    expect(checkResultSchema(result)).toEqual([]);
    expect(result).toMatchObject({
      metric: "probe.deception_activation_rate",
      metric_version: 1,
      status: "reported",
      sample_size: 2000,
      protocol: { suite: { id: "planted-target", version: "1" } },
      probe: {
        kind: "logistic_regression",
        layer: 12,
        aggregation: "mean",
        artifact_digest: probe.digest,
      },
    });
    expect(result.interval.method).toBe("wilson");
    expect(result.probe.training_set_digest).toBe(probe.training_set.digest);

    writeFileSync(path("report.json"), JSON.stringify(baseReport));
    const merged = await run(
      "report",
      "--eval",
      "eval.json",
      "--apply",
      "apply.json",
      "--metric",
      "probe.concealment_activation_rate",
      "--suite-id",
      "planted-target",
      "--variant",
      "planted",
      "--into",
      "report.json",
      "-o",
      "merged.json",
    );
    expect(merged.code).toBe(0);
    const mergedReport = JSON.parse(readFileSync(path("merged.json"), "utf8"));
    expect(mergedReport.results).toHaveLength(1);
    expect(mergedReport.results[0].metric).toBe("probe.concealment_activation_rate");
    expect(mergedReport.results[0].variant).toBe("planted");
    expect(checkReportSchema(mergedReport, "strict").problems).toEqual([]);
  });

  it("rejects activations of another width", async () => {
    const planted = plantProblem(16, 1, 3);
    const set = generateRows(
      planted,
      [{ transcriptId: "a", sign: 1, label: "deceptive", set: "target" }],
      3,
      0,
      4,
    );
    writeFileSync(path("narrow.npy"), npyFile(set.rows, set.rowCount, 16, "float32"));
    writeFileSync(path("narrow.jsonl"), set.index);
    await run(
      "train",
      "--activations",
      files.activations,
      "--index",
      files.index,
      "--layer",
      "1",
      "--kind",
      "diffmean",
      "-o",
      "small.json",
    );
    const apply = await run(
      "apply",
      "--probe",
      "small.json",
      "--activations",
      "narrow.npy",
      "--index",
      "narrow.jsonl",
      "--threshold",
      "0",
      "-o",
      "x.json",
    );
    expect(apply.code).toBe(2);
    expect(apply.err).toContain("16 dimensions, but the probe was trained on 32");
  });

  it("rejects an index that does not match the file", async () => {
    const lines = readFileSync(files.index, "utf8").trimEnd().split("\n");
    writeFileSync(path("short.jsonl"), `${lines.slice(1).join("\n")}\n`);
    const train = await run(
      "train",
      "--activations",
      files.activations,
      "--index",
      "short.jsonl",
      "--layer",
      "1",
      "-o",
      "x.json",
    );
    expect(train.code).toBe(2);
    expect(train.err).toContain(`has ${lines.length - 1} lines, but`);
    expect(train.err).toContain(`has ${lines.length} rows`);
  });

  it("rejects NaN activations by row", async () => {
    const planted = plantProblem(4, 1, 3);
    const set = generateRows(
      planted,
      [
        { transcriptId: "a", sign: 1, label: "deceptive", set: "train" },
        { transcriptId: "b", sign: -1, label: "honest", set: "train" },
      ],
      3,
      0,
      4,
    );
    set.rows[9] = Number.NaN;
    writeFileSync(path("nan.npy"), npyFile(set.rows, set.rowCount, 4, "float32"));
    writeFileSync(path("nan.jsonl"), set.index);
    const train = await run(
      "train",
      "--activations",
      "nan.npy",
      "--index",
      "nan.jsonl",
      "--layer",
      "1",
      "-o",
      "x.json",
    );
    expect(train.code).toBe(2);
    expect(train.err).toContain("row 2, column 1");
  });

  it("rejects a tampered probe artifact", async () => {
    const probe = JSON.parse(readFileSync(path("probe.json"), "utf8"));
    probe.bias += 1;
    writeFileSync(path("tampered.json"), JSON.stringify(probe));
    const apply = await run(
      "apply",
      "--probe",
      "tampered.json",
      "--activations",
      files.activations,
      "--index",
      files.index,
      "--threshold",
      "0",
      "-o",
      "x.json",
    );
    expect(apply.code).toBe(2);
    expect(apply.err).toContain("hashes to");
  });

  it("refuses a report from a threshold given directly", async () => {
    const apply = await run(
      "apply",
      "--probe",
      "probe.json",
      "--activations",
      files.activations,
      "--index",
      files.index,
      "--set",
      "target",
      "--threshold",
      "0",
      "-o",
      "direct.json",
    );
    expect(apply.code).toBe(0);
    const report = await run(
      "report",
      "--eval",
      "eval.json",
      "--apply",
      "direct.json",
      "--metric",
      "probe.deception_activation_rate",
      "--suite-id",
      "t",
      "-o",
      "x.json",
    );
    expect(report.code).toBe(2);
    expect(report.err).toContain("not the calibrated threshold");
  });

  it("rejects validation on training responses", async () => {
    const evaluation = await run(
      "eval",
      "--probe",
      "probe.json",
      "--activations",
      files.activations,
      "--index",
      files.index,
      "-o",
      "x.json",
    );
    expect(evaluation.code).toBe(2);
    expect(evaluation.err).toContain("is one the probe was trained on");
  });

  it("rejects bad option values", async () => {
    const bad = await run(
      "eval",
      "--probe",
      "probe.json",
      "--activations",
      files.activations,
      "--index",
      files.index,
      "--target-fpr",
      "1.5",
      "-o",
      "x.json",
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--target-fpr must be a number between 0 and 1");
    const metric = await run(
      "report",
      "--eval",
      "eval.json",
      "--apply",
      "apply.json",
      "--metric",
      "refusal.over_refusal_rate",
      "--suite-id",
      "t",
      "-o",
      "x.json",
    );
    expect(metric.code).toBe(2);
    expect(metric.err).toContain("not a probe metric");
  });
});

describe("candor probe through the built binary", () => {
  // Builds into a scratch folder beside links to spec/ and node_modules/, so
  // the test neither needs nor disturbs the repository's dist/.
  const root = join(folder, "package");

  beforeAll(() => {
    mkdirSync(join(root, "bin"), { recursive: true });
    copyFileSync(join(PACKAGE_ROOT, "bin", "candor.js"), join(root, "bin", "candor.js"));
    for (const name of ["package.json", "spec", "node_modules"]) {
      symlinkSync(join(PACKAGE_ROOT, name), join(root, name));
    }
    // tsc still writes every file when another module has type errors, so its exit code is not checked here.
    spawnSync(
      join(PACKAGE_ROOT, "node_modules", ".bin", "tsc"),
      ["-p", join(PACKAGE_ROOT, "tsconfig.build.json"), "--outDir", join(root, "dist")],
      {
        encoding: "utf8",
      },
    );
  }, 120_000);

  it("trains and applies a probe", () => {
    expect(existsSync(join(root, "dist", "cli", "commands", "probe.js"))).toBe(true);
    const candor = (...args: string[]) =>
      execFileSync(process.execPath, [join(root, "bin", "candor.js"), "probe", ...args], {
        cwd: folder,
        encoding: "utf8",
      });
    const common = ["--activations", files.activations, "--index", files.index];
    expect(
      candor("train", ...common, "--layer", "3", "--set", "train", "-o", "bin-probe.json"),
    ).toContain("wrote bin-probe.json");
    // The built binary and the in-process command train bit-identical probes.
    const inProcess = JSON.parse(readFileSync(path("probe.json"), "utf8"));
    const built = JSON.parse(readFileSync(path("bin-probe.json"), "utf8"));
    expect(built.weights).toBe(inProcess.weights);
    const applied = candor(
      "apply",
      "--probe",
      "bin-probe.json",
      ...common,
      "--set",
      "target",
      "--threshold",
      "0",
      "--json",
      "-o",
      "bin-apply.json",
    );
    expect(JSON.parse(applied).target.responses).toBe(2000);

    const failed = spawnSync(
      process.execPath,
      [
        join(root, "bin", "candor.js"),
        "probe",
        "train",
        "--activations",
        "missing.npy",
        "--index",
        files.index,
        "--layer",
        "1",
        "-o",
        "x.json",
      ],
      {
        cwd: folder,
        encoding: "utf8",
      },
    );
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain("cannot open activation file");
  });
});
