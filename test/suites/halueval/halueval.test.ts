import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { loadRegistry } from "../../../src/spec/registry.js";
import { validateReportFile } from "../../../src/spec/validate.js";
import { wilsonInterval } from "../../../src/stats/index.js";
import { importHaluEval } from "../../../src/suites/halueval/import.js";
import { type HaluEvalOutcome, readHaluEvalFile } from "../../../src/suites/halueval/read.js";
import { sha256Digest } from "../../../src/suites/registry.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "../../helpers/shared-data.js";
import { resultOf, tempDir } from "../hallucination/helpers.js";

const registry = loadRegistry();
const PUBLISHER = { name: "Candor tests", relationship: "third_party" as const };

function readSamples(path: string): HaluEvalOutcome[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as HaluEvalOutcome);
}

const record = (id: string, label: unknown, response: unknown = "An answer.") =>
  JSON.stringify({
    ID: id,
    user_query: "A question?",
    chatgpt_response: response,
    hallucination: label,
    hallucination_spans: [],
  });

describe.skipIf(!hasSharedData)(`HaluEval general data (${SHARED_DATA_MISSING})`, () => {
  const path = sharedDataPath("halueval", "general_data.json");

  it("imports as a valid report", async () => {
    const folder = tempDir("candor-halueval-");
    try {
      const imported = importHaluEval({ path, outDir: folder.dir, publisher: PUBLISHER, registry });
      // 4,507 records, each labelled yes or no; 815 labelled yes.
      expect(imported.records).toBe(4507);
      expect(imported.scored).toBe(4507);
      expect(imported.unsupported).toBe(815);
      expect(imported.unscored).toBe(0);
      expect(imported.value).toBeCloseTo(815 / 4507, 12);
      const wilson = wilsonInterval(815, 4507);
      expect(imported.interval).toEqual({
        lower: wilson.lower,
        upper: wilson.upper,
        level: 0.95,
        method: "wilson",
      });
      // The published file has one empty ID and the ID "ID" twice.
      expect(imported.rekeyed).toBe(2);

      const result = resultOf(imported.report, "hallucination.unsupported_claim_rate");
      expect(result.protocol?.suite).toEqual({
        id: "halueval-general",
        version: "file",
        digest: sha256Digest(readFileSync(path)),
        reference: false,
      });
      expect(result.protocol?.scorer?.kind).toBe("human");
      expect(imported.report.publisher.relationship).toBe("third_party");
      expect(imported.report.model.developer).toBe("OpenAI");
      expect(imported.report.model.name).toBe("ChatGPT (gpt-3.5-turbo, as recorded in HaluEval)");

      const samples = readSamples(imported.samplesPath);
      expect(samples).toHaveLength(4507);
      expect(new Set(samples.map((sample) => sample.id)).size).toBe(4507);
      expect(samples.filter((sample) => sample.unsupported_claim === true)).toHaveLength(815);
      expect(samples.every((sample) => sample.label === "yes" || sample.label === "no")).toBe(true);

      const validation = await validateReportFile(imported.reportPath, { registry });
      expect(validation.problems).toEqual([]);
      expect(validation.valid).toBe(true);
    } finally {
      folder.remove();
    }
  });

  it("imports through the command", async () => {
    const folder = tempDir("candor-halueval-cli-");
    try {
      const io = bufferIO();
      const code = await main(
        ["import", "halueval", path, "--out", folder.dir, "--publisher", "Candor tests", "--json"],
        io,
      );
      expect(code).toBe(0);
      const summary = JSON.parse(io.out());
      expect(summary.value).toBeCloseTo(815 / 4507, 12);
      expect(summary.sample_size).toBe(4507);
      expect(summary.valid).toBe(true);
      expect(JSON.parse(readFileSync(join(folder.dir, "report.json"), "utf8")).publisher.name).toBe(
        "Candor tests",
      );
    } finally {
      folder.remove();
    }
  });

  it.skipIf(
    !existsSync(
      join(import.meta.dirname, "..", "..", "..", "dist", "cli", "commands", "import.js"),
    ),
  )("imports through the built binary", async () => {
    const folder = tempDir("candor-halueval-bin-");
    try {
      const binary = join(import.meta.dirname, "..", "..", "..", "bin", "candor.js");
      const { stdout } = await promisify(execFile)(process.execPath, [
        binary,
        "import",
        "halueval",
        path,
        "--out",
        folder.dir,
      ]);
      expect(stdout).toContain("hallucination.unsupported_claim_rate 0.1808");
      expect(stdout).toContain("815/4507");
      const validation = await validateReportFile(join(folder.dir, "report.json"), { registry });
      expect(validation.valid).toBe(true);
    } finally {
      folder.remove();
    }
  });
});

describe("HaluEval reader", () => {
  it("counts odd records as unscored", () => {
    const folder = tempDir("candor-halueval-odd-");
    try {
      const path = join(folder.dir, "general_data.json");
      const lines = [
        record("1", "yes"),
        record("2", " No "),
        record("3", "maybe"),
        JSON.stringify({ ID: "4", chatgpt_response: "x" }),
        record("5", "yes", null),
        "{not json",
        "[1, 2]",
        record("1", "no"),
        "",
        record("", "YES"),
        JSON.stringify({ id: 9, chatgpt_response: "y", hallucination_label: "no" }),
      ];
      writeFileSync(path, `${lines.join("\n")}\n`);
      const file = readHaluEvalFile(path);
      expect(file.format).toBe("jsonl");
      const byPosition = new Map(file.outcomes.map((outcome) => [outcome.position, outcome]));
      expect(byPosition.get(1)).toMatchObject({ id: "1", label: "yes", unsupported_claim: true });
      expect(byPosition.get(2)).toMatchObject({ id: "2", label: " No ", unsupported_claim: false });
      expect(byPosition.get(3)).toMatchObject({
        label: "maybe",
        unsupported_claim: null,
        unscored_reason: "label_invalid",
      });
      expect(byPosition.get(4)).toMatchObject({
        label: null,
        unsupported_claim: null,
        unscored_reason: "label_missing",
      });
      expect(byPosition.get(5)).toMatchObject({
        unsupported_claim: null,
        unscored_reason: "response_missing",
      });
      expect(byPosition.get(6)).toMatchObject({
        id: "line-6",
        unsupported_claim: null,
        unscored_reason: "invalid_json",
      });
      expect(byPosition.get(7)).toMatchObject({
        unsupported_claim: null,
        unscored_reason: "not_an_object",
      });
      // A repeated ID and an empty one are keyed by line.
      expect(byPosition.get(8)).toMatchObject({
        id: "line-8",
        source_id: "1",
        unsupported_claim: false,
      });
      expect(byPosition.get(10)).toMatchObject({
        id: "line-10",
        source_id: "",
        unsupported_claim: true,
      });
      // A numeric id and the label field named as in HaluEval's README.
      expect(byPosition.get(11)).toMatchObject({ id: "9", unsupported_claim: false });
      expect(file.outcomes).toHaveLength(10);
    } finally {
      folder.remove();
    }
  });

  it("reads a JSON array", async () => {
    const folder = tempDir("candor-halueval-array-");
    try {
      const path = join(folder.dir, "array.json");
      writeFileSync(
        path,
        `[${[record("a", "yes"), record("b", "no"), record("c", "no"), record("d", "unsure")].join(",\n")}]`,
      );
      const imported = importHaluEval({
        path,
        outDir: join(folder.dir, "out"),
        publisher: PUBLISHER,
        registry,
      });
      expect(imported.format).toBe("json_array");
      expect(imported.scored).toBe(3);
      expect(imported.unsupported).toBe(1);
      expect(imported.unscored).toBe(1);
      const result = resultOf(imported.report, "hallucination.unsupported_claim_rate");
      expect(result.unscored).toBe(1);
      expect(result.notes).toContain("1 label_invalid");
      const validation = await validateReportFile(imported.reportPath, { registry });
      expect(validation.valid).toBe(true);
    } finally {
      folder.remove();
    }
  });

  it("rejects files without labels", () => {
    const folder = tempDir("candor-halueval-bad-");
    try {
      const empty = join(folder.dir, "empty.json");
      writeFileSync(empty, "\n \n");
      expect(() => readHaluEvalFile(empty)).toThrow(/is empty/);
      const unlabelled = join(folder.dir, "unlabelled.json");
      writeFileSync(unlabelled, `${record("1", "maybe")}\nnot json\n`);
      expect(() => readHaluEvalFile(unlabelled)).toThrow(/no record .* has a yes or no label/);
      const brokenArray = join(folder.dir, "broken.json");
      writeFileSync(brokenArray, `[${record("1", "yes")},`);
      expect(() => readHaluEvalFile(brokenArray)).toThrow(/not a valid JSON array/);
    } finally {
      folder.remove();
    }
  });

  it("command reports a missing file", async () => {
    const io = bufferIO();
    const code = await main(
      ["import", "halueval", "/nonexistent/general_data.json", "--out", "/tmp/unused"],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain("/nonexistent/general_data.json");
  });
});
