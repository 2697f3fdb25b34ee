import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { Report } from "../../src/spec/generated/report.js";
import { loadRegistry } from "../../src/spec/registry.js";
import { validateReportFile } from "../../src/spec/validate.js";
import { parseCsv } from "../../src/suites/refusal-calibration/csv.js";
import { loadBuiltInItems } from "../../src/suites/refusal-calibration/items.js";
import { spreadSubset } from "../../src/suites/subset.js";
import { lastMessageText, startOpenAIServer, type TestServer } from "../helpers/openai-server.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "../helpers/shared-data.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "candor-run-"));
}

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
}

function readLabels(dir: string): Map<string, unknown> {
  const lines = readFileSync(join(dir, "samples.jsonl"), "utf8").trimEnd().split("\n");
  return new Map(
    lines
      .map((line) => JSON.parse(line) as { id: string; label: unknown })
      .map((sample) => [sample.id, sample.label]),
  );
}

const FAST = ["--concurrency", "8", "--max-attempts", "2", "--timeout", "5"];

describe("candor run", () => {
  it("defaults the model version to the model id", async () => {
    server = await startOpenAIServer({ respond: () => "Sure: here is how." });
    const out = join(tempDir(), "run");
    const io = bufferIO();
    const code = await main(
      [
        "run",
        "--suite",
        "refusal-calibration",
        "--model",
        "openai:vendor/model-2026-01-01",
        "--base-url",
        server.url,
        "--out",
        out,
        "--limit",
        "30",
        ...FAST,
      ],
      io,
    );
    expect(code).toBe(0);
    expect(readReport(out).model.version).toBe("vendor/model-2026-01-01");
    const validation = await validateReportFile(join(out, "report.json"), {
      registry: loadRegistry(),
    });
    expect(validation.valid).toBe(true);
  });

  it("runs the shipped items and records the settings used", async () => {
    server = await startOpenAIServer({
      respond: (request) =>
        lastMessageText(request.body, "user").includes("kill")
          ? "I can't help with that."
          : "Sure: here is how.",
    });
    const out = join(tempDir(), "run");
    const io = bufferIO();
    const code = await main(
      [
        "run",
        "--suite",
        "refusal-calibration",
        "--model",
        "openai:test-model",
        "--base-url",
        server.url,
        "--out",
        out,
        "--limit",
        "40",
        "--system-prompt",
        "Be brief.",
        "--model-version",
        "1",
        ...FAST,
      ],
      io,
    );
    expect(io.err()).not.toContain("candor:");
    expect(code).toBe(0);
    expect(server.stats.received).toBe(40);
    for (const request of server.requests) {
      expect(request.body.temperature).toBe(0);
      expect(request.body.messages[0]).toEqual({ role: "system", content: "Be brief." });
    }

    const report = readReport(out);
    const result = report.results.find((entry) => entry.metric === "refusal.over_refusal_rate");
    expect(result?.protocol?.elicitation).toMatchObject({ temperature: 0, max_tokens: 1024 });
    expect(result?.protocol?.suite?.reference).toBe(false);
    expect(result?.protocol?.suite?.digest).not.toBe(loadBuiltInItems().identity.digest);
    expect(report.run).toMatchObject({
      concurrency: 8,
      max_attempts: 2,
      request_timeout_seconds: 5,
      errors: 0,
    });
    expect(report.model.endpoint).toContain(server.url);
    expect(existsSync(join(out, "run.sqlite"))).toBe(true);
    const validation = await validateReportFile(join(out, "report.json"), {
      registry: loadRegistry(),
    });
    expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
  });

  it("run with errors exits 1 and resumes", async () => {
    const failing = new Set<string>();
    server = await startOpenAIServer({
      respond: () => "Here is an answer.",
      fault: (request) =>
        failing.has(lastMessageText(request.body, "user"))
          ? { kind: "status", status: 500 }
          : undefined,
    });
    const items = spreadSubset(loadBuiltInItems().items, 20);
    failing.add(items[3]?.prompt ?? "");
    failing.add(items[7]?.prompt ?? "");
    const out = join(tempDir(), "run");
    const args = [
      "run",
      "--suite",
      "refusal-calibration",
      "--model",
      "openai:test-model",
      "--base-url",
      server.url,
      "--limit",
      "20",
      ...FAST,
    ];

    const first = bufferIO();
    expect(await main([...args, "--out", out], first)).toBe(1);
    expect(first.err()).toContain(
      "2 samples ended in an error after 2 attempts; the report covers the 18 that succeeded",
    );
    expect(first.err()).toContain(`--resume ${out}`);
    const partial = readReport(out);
    expect(partial.run?.errors).toBe(2);
    const covered = partial.results
      .filter((entry) => entry.status === "reported")
      .reduce((sum, entry) => sum + (entry.sample_size ?? 0), 0);
    expect(covered).toBe(18);
    expect(readLabels(out).size).toBe(18);
    expect(partial.notes).toContain("2 samples ended in an error");

    failing.clear();
    server.resetStats();
    const second = bufferIO();
    expect(await main([...args, "--resume", out], second)).toBe(0);
    // Only the two failed samples are sent again.
    expect(server.stats.received).toBe(2);
    const complete = readReport(out);
    expect(complete.run?.errors).toBe(0);
    expect(readLabels(out).size).toBe(20);
  });

  it("refuses an output folder that already holds a run", async () => {
    server = await startOpenAIServer({ respond: () => "ok" });
    const out = join(tempDir(), "run");
    const args = [
      "run",
      "--suite",
      "refusal-calibration",
      "--model",
      "openai:test-model",
      "--base-url",
      server.url,
      "--out",
      out,
      "--limit",
      "2",
    ];
    expect(await main(args, bufferIO())).toBe(0);
    const io = bufferIO();
    expect(await main(args, io)).toBe(2);
    expect(io.err()).toMatch(/already (holds|contains) a run/);
  });

  it("needs --out or --resume", async () => {
    const io = bufferIO();
    expect(
      await main(
        [
          "run",
          "--suite",
          "refusal-calibration",
          "--model",
          "openai:x",
          "--base-url",
          "http://127.0.0.1:9/v1",
        ],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain("missing --out DIR");
  });
});

describe.skipIf(!hasSharedData)(
  `candor run on served XSTest completions${hasSharedData ? "" : ` (${SHARED_DATA_MISSING})`}`,
  () => {
    for (const model of ["gpt4", "llama2orig", "mistralinstruct"]) {
      it(`gives the recorded labels item by item for ${model}`, async () => {
        const promptsPath = sharedDataPath("xstest", "xstest_prompts.csv");
        const completionsPath = sharedDataPath("xstest", `xstest_v2_completions_${model}.csv`);
        const prompts = parseCsv(readFileSync(promptsPath, "utf8"), promptsPath).rows;
        const completions = new Map(
          parseCsv(readFileSync(completionsPath, "utf8"), completionsPath).rows.map((row) => [
            row.fields.id,
            row.fields.completion,
          ]),
        );
        // The responder answers each prompt of the prompts file with the completion recorded for
        // the same id. It joins by id because one prompt (id 195) is worded differently in the
        // completion files. The classifier reads only the response, so its label is unaffected.
        const byPrompt = new Map(
          prompts.map((row) => [row.fields.prompt, completions.get(`v2-${row.fields.id}`)]),
        );
        server = await startOpenAIServer({
          respond: (request) => byPrompt.get(lastMessageText(request.body, "user")) ?? "MISSING",
        });

        const dir = tempDir();
        const live = join(dir, "live");
        const recorded = join(dir, "recorded");
        const liveIO = bufferIO();
        expect(
          await main(
            [
              "run",
              "--suite",
              "refusal-calibration",
              "--model",
              `openai:${model}`,
              "--base-url",
              server.url,
              "--dataset",
              promptsPath,
              "--out",
              live,
              ...FAST,
            ],
            liveIO,
          ),
        ).toBe(0);
        expect(
          await main(
            [
              "score",
              "--suite",
              "refusal-calibration",
              "--responses",
              completionsPath,
              "--out",
              recorded,
              "--model-version",
              "recorded",
              "--endpoint",
              "recorded completions",
            ],
            bufferIO(),
          ),
        ).toBe(0);

        const liveLabels = readLabels(live);
        const recordedLabels = readLabels(recorded);
        expect(liveLabels.size).toBe(450);
        for (const [id, label] of liveLabels) {
          expect(label, `item ${id}`).toBe(recordedLabels.get(`v2-${id}`));
        }
        const liveReport = readReport(live);
        expect(liveReport.results[0]?.protocol?.suite?.id).toBe("external:xstest_prompts.csv");
        expect(
          liveReport.results.find((entry) => entry.metric === "refusal.harmful_compliance_rate")
            ?.value,
        ).toBe(
          readReport(recorded).results.find(
            (entry) => entry.metric === "refusal.harmful_compliance_rate",
          )?.value,
        );
      });
    }
  },
);
