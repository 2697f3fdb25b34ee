/**
 * Benchmark of Candor's run engine against promptfoo and the bare HTTP
 * ceiling, on this machine, in one run. It is not part of the test suite.
 *
 * Run: npm run bench            (full, about 10 to 15 minutes, rewrites the
 *                                run-engine section of bench/RESULTS.md)
 *      npm run bench -- --quick (smoke run, about 3 minutes, writes nothing
 *                                unless --write is given)
 *
 * Options: --quick, --write / --no-write, --skip-promptfoo, --no-build,
 * --no-namespace, --results FILE (default bench/RESULTS.md).
 * --repeat N sets the runs of the fetch loop and of Candor per row (default
 * 2, or 1 with --quick). --scratch DIR sets the working folder (default
 * $TMPDIR/candor-bench), where promptfoo is installed once and kept.
 *
 * Steps: build Candor (`npm run build`), install promptfoo into the scratch
 * folder if it is not there, then measure inside a new network namespace
 * that has only a loopback interface (`unshare --net --map-root-user`), so
 * no tool can reach any host but 127.0.0.1. Two benchmark servers run as
 * separate processes, one replying at once and one after 50 ms. Every
 * client runs as its own process under GNU time. Needs Linux, /usr/bin/time
 * (Debian package `time`), and npm registry access for the first promptfoo
 * install. Exits with 0 when every target is met and 1 otherwise.
 */

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeDataset } from "./engine/dataset.js";
import { checkGnuTime, median, timeRepeated } from "./engine/measure.js";
import {
  type BenchResults,
  checkTargets,
  itemsPerSecond,
  type MachineInfo,
  renderSection,
  writeSection,
} from "./engine/report.js";
import { type BenchServer, startServer } from "./engine/server.js";
import {
  installPromptfoo,
  type PromptfooInstall,
  runCandor,
  runCeiling,
  runPromptfoo,
  type Tool,
  type ToolRun,
} from "./engine/tools.js";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CANDOR_BIN = join(ROOT, "bin", "candor.js");
const IN_NAMESPACE_FLAG = "--in-namespace";

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    write: { type: "boolean" },
    "no-write": { type: "boolean", default: false },
    "skip-promptfoo": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    "no-namespace": { type: "boolean", default: false },
    repeat: { type: "string" },
    scratch: { type: "string", default: join(tmpdir(), "candor-bench") },
    results: { type: "string", default: join(ROOT, "bench", "RESULTS.md") },
    "in-namespace": { type: "boolean", default: false },
    "promptfoo-unavailable": { type: "string" },
  },
});

/** One throughput row: a server latency, a concurrency and the number of items every tool gets. */
interface RowPlan {
  latencyMs: number;
  concurrency: number;
  items: number;
}

/**
 * Item counts, the same for every client in a row. At zero latency they are
 * large enough that start-up weighs little. At 50 ms they give each client 8
 * to 10 s at the ideal rate (concurrency / latency). promptfoo, at about 120
 * items/s here, takes about 4 of the benchmark's 10 to 15 minutes.
 */
function planRows(quick: boolean): RowPlan[] {
  if (quick) {
    return [
      { latencyMs: 0, concurrency: 1, items: 1_000 },
      { latencyMs: 0, concurrency: 8, items: 1_000 },
      { latencyMs: 0, concurrency: 64, items: 1_000 },
      { latencyMs: 50, concurrency: 1, items: 40 },
      { latencyMs: 50, concurrency: 8, items: 320 },
      { latencyMs: 50, concurrency: 64, items: 2_000 },
    ];
  }
  return [
    { latencyMs: 0, concurrency: 1, items: 5_000 },
    { latencyMs: 0, concurrency: 8, items: 5_000 },
    { latencyMs: 0, concurrency: 64, items: 5_000 },
    { latencyMs: 50, concurrency: 1, items: 200 },
    { latencyMs: 50, concurrency: 8, items: 1_600 },
    { latencyMs: 50, concurrency: 64, items: 10_000 },
  ];
}

const MEMORY_ITEMS = { quick: [1_000, 10_000], full: [1_000, 10_000, 100_000] };
const TIMEOUT_MS = {
  "fetch-loop": 180_000,
  "http-loop": 180_000,
  candor: 300_000,
  promptfoo: 420_000,
  memory: 600_000,
};

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Builds Candor, installs promptfoo and starts the measuring process in a network namespace. */
async function prepareAndMeasure(): Promise<number> {
  checkGnuTime();
  mkdirSync(options.scratch, { recursive: true });

  if (!options["no-build"]) {
    log("building Candor: npm run build");
    const build = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
    if (build.status !== 0) {
      log(
        `npm run build failed with code ${String(build.status)}; fix the build or pass --no-build`,
      );
      return 1;
    }
  }

  const forward = process.argv.slice(2);
  if (!options["skip-promptfoo"]) {
    const install = installPromptfoo(join(options.scratch, "promptfoo-0.121"));
    if (typeof install === "string") {
      log(`promptfoo is unavailable: ${install}`);
      forward.push("--promptfoo-unavailable", install);
    }
  }

  if (options["no-namespace"] || !namespaceWorks()) {
    const reason = options["no-namespace"]
      ? "--no-namespace was given"
      : "unshare --net --map-root-user failed here";
    log(`measuring without a network namespace (${reason})`);
    return await measure(
      `no network namespace (${reason}); every tool was pointed only at 127.0.0.1 by its configuration`,
    );
  }

  // The measuring process is this script again, started with the same loader (tsx) inside a
  // namespace whose only interface is loopback; `ip link set lo up` brings it up.
  const child = spawn(
    "unshare",
    [
      "--net",
      "--map-root-user",
      "--",
      "sh",
      "-c",
      'ip link set lo up && exec "$@"',
      "sh",
      process.execPath,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...forward,
      IN_NAMESPACE_FLAG,
    ],
    { stdio: "inherit" },
  );
  return await new Promise((resolveCode) => child.on("close", (code) => resolveCode(code ?? 1)));
}

function namespaceWorks(): boolean {
  const probe = spawnSync(
    "unshare",
    ["--net", "--map-root-user", "--", "ip", "link", "set", "lo", "up"],
    {
      stdio: "ignore",
    },
  );
  return probe.status === 0;
}

async function measure(network: string): Promise<number> {
  const quick = options.quick;
  const repeat = Number(options.repeat ?? (quick ? 1 : 2));
  const work = join(options.scratch, `run-${process.pid}`);
  mkdirSync(work, { recursive: true });

  let promptfoo: PromptfooInstall | string = "skipped with --skip-promptfoo";
  if (options["promptfoo-unavailable"] !== undefined) {
    promptfoo = options["promptfoo-unavailable"];
  } else if (!options["skip-promptfoo"]) {
    promptfoo = installPromptfoo(join(options.scratch, "promptfoo-0.121"));
  }

  const machine: MachineInfo = {
    cpuModel: cpuModel(),
    cores: availableParallelism(),
    memoryGb: totalmem() / 1e9,
    node: process.versions.node,
    kernel: release(),
    loadAtStart: loadavg(),
    loadAtEnd: [],
    date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    candorCommit: candorRevision(),
    promptfoo:
      typeof promptfoo === "string"
        ? `no promptfoo (${promptfoo})`
        : `promptfoo ${promptfoo.version}`,
    network,
  };
  log(`machine: ${JSON.stringify(machine)}`);

  const servers = new Map<number, BenchServer>();
  for (const latencyMs of [0, 50]) {
    servers.set(latencyMs, await startServer(latencyMs));
  }

  const datasets = new Map<number, string>();
  const dataset = async (items: number): Promise<string> => {
    let path = datasets.get(items);
    if (path === undefined) {
      path = join(work, `items-${items}.csv`);
      await writeDataset(path, items);
      datasets.set(items, path);
    }
    return path;
  };

  const throughput: ToolRun[][] = [];
  const memory: ToolRun[] = [];
  let version = { runs: 0, candorMedianMs: Number.NaN, nodeMedianMs: Number.NaN };
  try {
    for (const row of planRows(quick)) {
      const server = servers.get(row.latencyMs) as BenchServer;
      const context = async (tool: Tool, items: number, attempt: number) => ({
        server,
        datasetPath: await dataset(items),
        items,
        concurrency: row.concurrency,
        workDir: join(work, `${tool}-${row.latencyMs}-${row.concurrency}-${attempt}`),
        timeoutMs: TIMEOUT_MS[tool],
      });

      // The fetch loop and Candor alternate, so a burst of load from other work hits both alike.
      const fetchRuns: ToolRun[] = [];
      const candorRuns: ToolRun[] = [];
      for (let attempt = 0; attempt < repeat; attempt++) {
        fetchRuns.push(
          report(await runCeiling(await context("fetch-loop", row.items, attempt), "fetch")),
        );
        candorRuns.push(
          report(await runCandor(await context("candor", row.items, attempt), CANDOR_BIN)),
        );
      }
      const httpRun = report(await runCeiling(await context("http-loop", row.items, 0), "http"));
      throughput.push(fetchRuns, [httpRun], candorRuns);
      if (typeof promptfoo !== "string") {
        const run = await runPromptfoo(await context("promptfoo", row.items, 0), promptfoo);
        throughput.push([report(run)]);
      }
    }

    const zero = servers.get(0) as BenchServer;
    for (const items of quick ? MEMORY_ITEMS.quick : MEMORY_ITEMS.full) {
      const run = await runCandor(
        {
          server: zero,
          datasetPath: await dataset(items),
          items,
          concurrency: 64,
          workDir: join(work, `memory-${items}`),
          timeoutMs: TIMEOUT_MS.memory,
        },
        CANDOR_BIN,
      );
      memory.push(report(run));
    }

    const runs = quick ? 5 : 20;
    log(`timing candor --version and node -e 0, ${runs} runs each`);
    version = {
      runs,
      candorMedianMs: median(timeRepeated(process.execPath, [CANDOR_BIN, "--version"], runs, 3)),
      nodeMedianMs: median(timeRepeated(process.execPath, ["-e", "0"], runs, 3)),
    };
  } finally {
    for (const server of servers.values()) {
      await server.stop();
    }
  }
  machine.loadAtEnd = loadavg();

  const results: BenchResults = {
    command: quick ? "npm run bench -- --quick" : "npm run bench",
    quick,
    machine,
    throughput,
    memory,
    version,
  };
  const rawPath = join(options.scratch, `results-${Date.now()}.json`);
  writeFileSync(rawPath, `${JSON.stringify(results, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });

  const section = renderSection(results);
  process.stdout.write(`${section}\n`);
  const write = options.write ?? (!quick && !options["no-write"]);
  if (write && !options["no-write"]) {
    writeSection(options.results, section);
    log(`wrote the run-engine section of ${options.results}`);
  }
  log(`raw results: ${rawPath}`);
  return checkTargets(results).every((check) => check.met) ? 0 : 1;
}

/** Prints one line per finished run, so a long benchmark shows where it is. */
function report(run: ToolRun): ToolRun {
  const m = run.measurement;
  const status =
    run.error === undefined
      ? `${(m.wallMs / 1000).toFixed(2)} s, ${itemsPerSecond(run).toFixed(0)} items/s, CPU ${m.cpuSeconds.toFixed(1)} s, peak RSS ${m.maxRssMb.toFixed(0)} MB`
      : `FAILED: ${run.error}`;
  log(
    `${run.tool.padEnd(9)} ${String(run.latencyMs).padStart(2)} ms  c=${String(run.concurrency).padEnd(2)}  n=${String(run.items).padEnd(6)} ${status}  (load ${run.loadAverage.toFixed(1)})`,
  );
  return run;
}

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

/** Names the checked-out commit and says whether the working tree differs from it. */
function candorRevision(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    return dirty === "" ? `commit ${commit}` : `commit ${commit} with uncommitted changes`;
  } catch {
    return "an unknown commit";
  }
}

const exitCode = options["in-namespace"]
  ? await measure("a private network namespace whose only interface is loopback (unshare --net)")
  : await prepareAndMeasure();
process.exitCode = exitCode;
