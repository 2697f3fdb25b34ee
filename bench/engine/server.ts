/**
 * Starts and stops the benchmark server (server.mjs) as a child process and
 * reads its CPU time from /proc, so that each measurement can report the
 * CPU the server used while the client under test ran.
 */

import { type ChildProcessByStdio, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";

const SERVER_SCRIPT = fileURLToPath(new URL("./server.mjs", import.meta.url));
const START_TIMEOUT_MS = 10_000;

export interface BenchServer {
  latencyMs: number;
  pid: number;
  /** Base URL up to and including /v1, as Candor's --base-url and promptfoo's apiBaseUrl take it. */
  baseUrl: string;
  /** CPU time (user plus system) the server has used since it started, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function startServer(latencyMs: number): Promise<BenchServer> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "--latency-ms", String(latencyMs)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const { port, pid } = await readAnnouncement(child);
  const ticksPerSecond = clockTicksPerSecond();

  return {
    latencyMs,
    pid,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    cpuSeconds: () => processCpuTicks(pid) / ticksPerSecond,
    async stop() {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // Closing stdin stops the server, and SIGTERM stops it too if it is not reading stdin.
      child.stdin.end();
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Waits for the line {"port": N, "pid": N} that the server prints once it listens. */
function readAnnouncement(
  child: ChildProcessByStdio<Writable, Readable, null>,
): Promise<{ port: number; pid: number }> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the benchmark server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      buffered += text;
      const newline = buffered.indexOf("\n");
      if (newline !== -1) {
        clearTimeout(timer);
        resolve(JSON.parse(buffered.slice(0, newline)) as { port: number; pid: number });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark server exited with code ${String(code)} before listening`));
    });
  });
}

/** utime plus stime of a live process, in clock ticks, from /proc/PID/stat (fields 14 and 15). */
function processCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name in field 2 may contain spaces, so fields are counted after its closing bracket.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}
