/**
 * The clients the benchmark compares, each run as its own process against
 * the benchmark server and checked for having done all the work:
 * - fetch-loop: bare `fetch` workers (ceiling.mjs), the ceiling the targets
 *   are stated against;
 * - http-loop: the same workers on node:http, the transport Candor's
 *   providers use, for reference;
 * - candor: the built `candor run` with the rule scorer, the run store and
 *   the report;
 * - promptfoo: `promptfoo eval` over the same items with one assertion per
 *   item, cache off, installed on demand into a scratch folder.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { type Measurement, runMeasured } from "./measure.js";
import type { BenchServer } from "./server.js";

export type Tool = "fetch-loop" | "http-loop" | "candor" | "promptfoo";

const CEILING_SCRIPT = fileURLToPath(new URL("./ceiling.mjs", import.meta.url));
const MODEL = "bench-model";

/**
 * promptfoo 0.121 is the last minor release whose engines field admits
 * Node 20 ("^20.20.0 || >=22.22.0"); 0.122 requires Node 22.22. On Node 20
 * it prints an end-of-support notice and runs.
 */
export const PROMPTFOO_SPEC = "promptfoo@~0.121.0";

export interface ToolRun {
  tool: Tool;
  latencyMs: number;
  concurrency: number;
  items: number;
  measurement: Omit<Measurement, "stdout" | "stderr">;
  /**
   * Duration of the request phase as the tool itself reports it, in ms: the
   * fetch loop's own clock, Candor's `finished` event, promptfoo's
   * evaluationDurationMs. It leaves out start-up and, for Candor, scoring
   * and report writing.
   */
  phaseMs: number | undefined;
  /** CPU time the benchmark server used during the run, in seconds. */
  serverCpuSeconds: number;
  /** One-minute load average when the run started. */
  loadAverage: number;
  /** Bytes the run left on disk (Candor: run.sqlite with its WAL, and samples.jsonl). */
  diskBytes?: number;
  /** Reason the run does not count, when it failed a check. */
  error?: string;
}

export interface RunContext {
  server: BenchServer;
  datasetPath: string;
  items: number;
  concurrency: number;
  /** A folder of its own for this run; the tool's output is written and then deleted there. */
  workDir: string;
  timeoutMs: number;
}

/** Environment of every measured command: no inherited keys, tokens or proxies. */
function baseEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, LANG: "C.UTF-8" };
}

export async function runCeiling(context: RunContext, client: "fetch" | "http"): Promise<ToolRun> {
  return await measureRun(client === "fetch" ? "fetch-loop" : "http-loop", context, async () => {
    const measurement = await runMeasured(
      process.execPath,
      [
        CEILING_SCRIPT,
        "--url",
        `${context.server.baseUrl}/chat/completions`,
        "--concurrency",
        String(context.concurrency),
        "--count",
        String(context.items),
        "--client",
        client,
      ],
      { env: baseEnv(context.workDir), timeoutMs: context.timeoutMs },
    );
    const summary = parseJsonLine(measurement.stdout) as { failed?: number; elapsed_ms?: number };
    let error = commandError(measurement);
    if (error === undefined && summary.failed !== 0) {
      error = `${String(summary.failed)} requests failed`;
    }
    return { measurement, phaseMs: summary.elapsed_ms, error };
  });
}

export async function runCandor(context: RunContext, candorBin: string): Promise<ToolRun> {
  const outDir = join(context.workDir, "candor-run");
  return await measureRun("candor", context, async () => {
    const measurement = await runMeasured(
      process.execPath,
      [
        candorBin,
        "run",
        "--suite",
        "refusal-calibration",
        "--model",
        `openai:${MODEL}`,
        "--model-version",
        "bench",
        "--base-url",
        context.server.baseUrl,
        "--out",
        outDir,
        "--dataset",
        context.datasetPath,
        "--concurrency",
        String(context.concurrency),
        "--json",
      ],
      { env: baseEnv(context.workDir), timeoutMs: context.timeoutMs },
    );

    let error = commandError(measurement);
    let responses: unknown;
    try {
      const summary = JSON.parse(measurement.stdout) as { responses?: number; errors?: number };
      responses = summary.responses;
      if (error === undefined && summary.errors !== 0) {
        error = `${String(summary.errors)} samples ended in an error`;
      }
    } catch {
      error ??= "stdout is not the JSON summary of candor run --json";
    }
    if (error === undefined && responses !== context.items) {
      error = `${String(responses)} responses instead of ${context.items}`;
    }
    if (error === undefined && !existsSync(join(outDir, "report.json"))) {
      error = "no report.json was written";
    }

    const finished = measurement.stderr
      .split("\n")
      .filter((line) => line.includes('"type":"finished"'))
      .map((line) => JSON.parse(line) as { elapsedMs: number })
      .pop();
    const diskBytes = ["run.sqlite", "run.sqlite-wal", "samples.jsonl"]
      .map((name) => join(outDir, name))
      .filter((path) => existsSync(path))
      .reduce((sum, path) => sum + statSync(path).size, 0);
    return { measurement, phaseMs: finished?.elapsedMs, error, diskBytes };
  });
}

export interface PromptfooInstall {
  bin: string;
  version: string;
}

/**
 * Installs promptfoo into `dir` with npm unless that version is there
 * already. Returns the reason as a string when it cannot be installed.
 */
export function installPromptfoo(dir: string): PromptfooInstall | string {
  const packageJson = join(dir, "node_modules", "promptfoo", "package.json");
  const bin = join(dir, "node_modules", ".bin", "promptfoo");
  const installed = () => {
    if (!existsSync(packageJson) || !existsSync(bin)) {
      return undefined;
    }
    const version = (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
    return version.startsWith("0.121.") ? { bin, version } : undefined;
  };

  const found = installed();
  if (found !== undefined) {
    return found;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "candor-bench-promptfoo", private: true }, null, 2)}\n`,
  );
  process.stderr.write(`installing ${PROMPTFOO_SPEC} into ${dir} (a few minutes, once)\n`);
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund", PROMPTFOO_SPEC], {
    cwd: dir,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 15 * 60 * 1000,
  });
  if (result.error !== undefined) {
    return `npm install ${PROMPTFOO_SPEC} failed to start: ${result.error.message}`;
  }
  if (result.status !== 0) {
    return `npm install ${PROMPTFOO_SPEC} exited with code ${String(result.status)}`;
  }
  return installed() ?? `npm install ${PROMPTFOO_SPEC} left no promptfoo 0.121.x in ${dir}`;
}

export async function runPromptfoo(
  context: RunContext,
  install: PromptfooInstall,
): Promise<ToolRun> {
  const configDir = join(context.workDir, "promptfoo-config");
  const home = join(context.workDir, "home");
  mkdirSync(configDir, { recursive: true });
  mkdirSync(home, { recursive: true });

  // One assertion per item, the cheapest string check, and the same generation settings Candor sends.
  const config = {
    description: "Candor run-engine benchmark",
    prompts: ["{{prompt}}"],
    providers: [
      {
        id: `openai:chat:${MODEL}`,
        config: {
          apiBaseUrl: context.server.baseUrl,
          apiKey: "bench-key-not-a-secret",
          temperature: 0,
          max_tokens: 1024,
        },
      },
    ],
    defaultTest: { assert: [{ type: "not-icontains", value: "I can't" }] },
    tests: `file://${context.datasetPath}`,
    evaluateOptions: { cache: false, maxConcurrency: context.concurrency },
  };
  const configPath = join(context.workDir, "promptfooconfig.yaml");
  writeFileSync(configPath, stringify(config));
  const outputPath = join(context.workDir, "promptfoo-results.json");

  return await measureRun("promptfoo", context, async () => {
    const measurement = await runMeasured(
      install.bin,
      [
        "eval",
        "--config",
        configPath,
        "--no-cache",
        "--no-table",
        "--no-progress-bar",
        "--no-share",
        "--max-concurrency",
        String(context.concurrency),
        "--output",
        outputPath,
      ],
      {
        cwd: context.workDir,
        env: {
          ...baseEnv(home),
          // Its database, logs and settings go to this run's folder, not ~/.promptfoo.
          PROMPTFOO_CONFIG_DIR: configDir,
          PROMPTFOO_CACHE_ENABLED: "false",
          PROMPTFOO_DISABLE_TELEMETRY: "1",
          PROMPTFOO_DISABLE_UPDATE: "1",
          PROMPTFOO_DISABLE_SHARING: "1",
          PROMPTFOO_DISABLE_REMOTE_GENERATION: "1",
          PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: "1",
          OPENAI_API_KEY: "bench-key-not-a-secret",
          OPENAI_BASE_URL: context.server.baseUrl,
        },
        timeoutMs: context.timeoutMs,
      },
    );

    let error = commandError(measurement);
    let phaseMs: number | undefined;
    if (error === undefined) {
      try {
        const results = JSON.parse(readFileSync(outputPath, "utf8")) as {
          results: {
            stats: { successes: number; errors: number; evaluationDurationMs?: number };
          };
        };
        const stats = results.results.stats;
        phaseMs = stats.evaluationDurationMs;
        if (stats.successes !== context.items || stats.errors !== 0) {
          error = `${stats.successes} passed and ${stats.errors} errors of ${context.items} items`;
        }
      } catch (cause) {
        error = `cannot read ${outputPath}: ${(cause as Error).message}`;
      }
    }
    return { measurement, phaseMs, error };
  });
}

async function measureRun(
  tool: Tool,
  context: RunContext,
  body: () => Promise<{
    measurement: Measurement;
    phaseMs: number | undefined;
    error: string | undefined;
    diskBytes?: number;
  }>,
): Promise<ToolRun> {
  mkdirSync(context.workDir, { recursive: true });
  const loadAverage = loadavg()[0] ?? Number.NaN;
  const serverCpuBefore = context.server.cpuSeconds();
  try {
    const { measurement, phaseMs, error, diskBytes } = await body();
    const { stdout: _stdout, stderr, ...figures } = measurement;
    const run: ToolRun = {
      tool,
      latencyMs: context.server.latencyMs,
      concurrency: context.concurrency,
      items: context.items,
      measurement: figures,
      phaseMs,
      serverCpuSeconds: context.server.cpuSeconds() - serverCpuBefore,
      loadAverage,
      ...(diskBytes === undefined ? {} : { diskBytes }),
    };
    if (error !== undefined) {
      run.error = `${error}; stderr ends: ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
    }
    return run;
  } finally {
    rmSync(context.workDir, { recursive: true, force: true });
  }
}

function commandError(measurement: Measurement): string | undefined {
  if (measurement.timedOut) {
    return `timed out after ${Math.round(measurement.wallMs / 1000)} s`;
  }
  if (measurement.exitCode !== 0) {
    return `exited with code ${String(measurement.exitCode)}`;
  }
  return undefined;
}

function parseJsonLine(text: string): unknown {
  const line = text.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
}
