/**
 * Runs one command of the benchmark and measures it from outside. Wall time
 * comes from this process's clock. User and system CPU time and peak
 * resident memory come from GNU time (`/usr/bin/time`, Debian package
 * `time`), which reads the kernel's rusage of the command and of every child
 * it waited for. Measuring from outside treats Candor, promptfoo and the bare
 * loops the same way, start-up included.
 */

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GNU_TIME = "/usr/bin/time";

/** Keeps only the end of a command's output, so a chatty tool cannot fill memory. */
const MAX_CAPTURED_CHARS = 4 * 1024 * 1024;

export interface Measurement {
  wallMs: number;
  userSeconds: number;
  systemSeconds: number;
  /** User plus system CPU time, in seconds. */
  cpuSeconds: number;
  /** Peak resident set size of the largest process, in MB (10^6 bytes). */
  maxRssMb: number;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** The command is killed, with everything it started, after this many milliseconds. */
  timeoutMs: number;
}

export class MissingToolError extends Error {
  constructor(tool: string, hint: string) {
    super(`${tool} not found: ${hint}`);
    this.name = "MissingToolError";
  }
}

/** Throws when GNU time is missing, before any measurement starts. */
export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new MissingToolError(GNU_TIME, "install it with: apt-get install time");
  }
}

export async function runMeasured(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<Measurement> {
  const scratch = mkdtempSync(join(tmpdir(), "candor-bench-time-"));
  const timeFile = join(scratch, "rusage");
  const started = performance.now();

  // A process group of its own, so a timeout can kill the command and its children at once.
  const child = spawn(GNU_TIME, ["-f", "%U %S %M", "-o", timeFile, command, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout = keepTail(stdout + text);
  });
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr = keepTail(stderr + text);
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      process.kill(-child.pid, "SIGKILL");
    }
  }, options.timeoutMs);

  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  clearTimeout(timer);
  const wallMs = performance.now() - started;

  const usage = readUsage(timeFile);
  rmSync(scratch, { recursive: true, force: true });
  return {
    wallMs,
    userSeconds: usage.user,
    systemSeconds: usage.system,
    cpuSeconds: usage.user + usage.system,
    maxRssMb: (usage.maxRssKib * 1024) / 1e6,
    exitCode,
    timedOut,
    stdout,
    stderr,
  };
}

/** Wall times of `runs` runs of a short command, in milliseconds, after `warmups` unmeasured runs. */
export function timeRepeated(
  command: string,
  args: readonly string[],
  runs: number,
  warmups: number,
): number[] {
  const times: number[] = [];
  for (let index = 0; index < warmups + runs; index++) {
    const started = performance.now();
    const result = spawnSync(command, args, { stdio: "ignore" });
    const elapsed = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(" ")} exited with ${String(result.status)}`);
    }
    if (index >= warmups) {
      times.push(elapsed);
    }
  }
  return times;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function keepTail(text: string): string {
  return text.length > MAX_CAPTURED_CHARS ? text.slice(-MAX_CAPTURED_CHARS) : text;
}

/**
 * Reads the line GNU time wrote with the format "%U %S %M". A command that
 * was killed leaves a "Command terminated by signal" line before it.
 */
function readUsage(path: string): { user: number; system: number; maxRssKib: number } {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { user: Number.NaN, system: Number.NaN, maxRssKib: Number.NaN };
  }
  const line = text.trim().split("\n").pop() ?? "";
  // %M is the kernel's ru_maxrss, which Linux counts in KiB.
  const [user, system, maxRssKib] = line.split(" ").map(Number);
  return {
    user: user ?? Number.NaN,
    system: system ?? Number.NaN,
    maxRssKib: maxRssKib ?? Number.NaN,
  };
}
