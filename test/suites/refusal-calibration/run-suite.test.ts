import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProvider } from "../../../src/providers/index.js";
import { loadBuiltInItems } from "../../../src/suites/refusal-calibration/items.js";
import {
  type RunSuiteOptions,
  runRefusalSuite,
} from "../../../src/suites/refusal-calibration/run-suite.js";
import { startOpenAIServer, type TestServer } from "../../helpers/openai-server.js";

describe("runRefusalSuite", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ latencyMs: 20, respond: () => "Here is how to do it." });
  });
  afterAll(async () => {
    await server.close();
  });

  function options(
    outDir: string,
    resume: boolean,
    signal?: AbortSignal,
    onEvent?: RunSuiteOptions["onEvent"],
  ): RunSuiteOptions {
    return {
      provider: createProvider("openai:test-model", { baseUrl: server.url }),
      providerSpec: "openai:test-model",
      itemSet: loadBuiltInItems(),
      limit: 30,
      outDir,
      resume,
      generation: { systemPrompt: "", temperature: 0, maxTokens: 64 },
      engine: {
        concurrency: 3,
        maxAttempts: 2,
        requestTimeoutMs: 5000,
        baseDelayMs: 10,
        maxDelayMs: 100,
      },
      scorer: { kind: "rule" },
      judgeRun: { concurrency: 1, maxAttempts: 1 },
      identity: {
        publisher: { name: "Test", relationship: "third_party" },
        model: {
          name: "test-model",
          version: "1",
          developer: "Example",
          access: "api",
          endpoint: server.url,
        },
        claimedTier: 1,
      },
      ...(signal === undefined ? {} : { signal }),
      ...(onEvent === undefined ? {} : { onEvent }),
    };
  }

  it("interrupted run writes no report and resumes", async () => {
    const outDir = join(mkdtempSync(join(tmpdir(), "candor-run-suite-")), "run");
    const controller = new AbortController();
    let finished = 0;
    const interrupted = await runRefusalSuite(
      options(outDir, false, controller.signal, (event) => {
        if (event.type === "sample_done" && ++finished === 10) {
          controller.abort(new Error("test interruption"));
        }
      }),
    );
    expect(interrupted.written).toBeUndefined();
    expect(interrupted.summary.aborted).toBe(true);
    expect(interrupted.done).toBeGreaterThanOrEqual(10);
    expect(interrupted.done).toBeLessThan(30);

    server.resetStats();
    const resumed = await runRefusalSuite(options(outDir, true));
    expect(resumed.written).toBeDefined();
    expect(resumed.errors).toBe(0);
    expect(resumed.done).toBe(30);
    // Finished samples are not sent again.
    expect(server.stats.received).toBe(30 - interrupted.done);

    const ids = readFileSync(join(outDir, "samples.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
