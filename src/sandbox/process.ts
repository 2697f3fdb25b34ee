import { spawn } from "node:child_process";

/** Output of a process on one stream: the retained prefix and the full length. */
export interface CapturedOutput {
  /** The first bytes kept, at most the capture limit. */
  data: Buffer;
  /** Bytes the process wrote in total. */
  bytes: number;
  truncated: boolean;
}

/** Reason the harness killed a process before it exited on its own. */
export type KillReason = "timeout" | "disk_quota" | "aborted";

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
  startedAt: string;
  durationMs: number;
  killedFor: KillReason | null;
  /** Output on file descriptor 3, when `captureFd3` was set. */
  fd3?: Buffer;
}

export interface RunProcessOptions {
  stdin?: Buffer | string;
  timeoutMs: number;
  /** Bytes kept per stream; bytes past the limit are counted and dropped. */
  maxOutputBytes: number;
  signal?: AbortSignal;
  /**
   * Called every `intervalMs` while the process runs; returning a kill reason
   * kills the process group.
   */
  watch?: { intervalMs: number; check: () => Promise<KillReason | null> };
  /** Open file descriptor 3 as a pipe to the harness and collect what is written to it. */
  captureFd3?: boolean;
}

/** How long to wait for the streams to close after the kill before giving up on them. */
const CLOSE_GRACE_MS = 5_000;

/**
 * Runs argv with an empty environment in its own process group, keeps a
 * bounded prefix of stdout and stderr, and kills the whole group on timeout,
 * abort, or when the watcher returns a kill reason. The environment is empty on purpose:
 * bubblewrap's own environment is readable inside the sandbox through
 * /proc/1/environ, so nothing from the harness may reach it.
 */
export function runProcess(argv: string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const [file, ...args] = argv;
  if (file === undefined) {
    return Promise.reject(new Error("runProcess needs a program to run"));
  }
  const startedAt = new Date();
  const start = performance.now();

  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: {},
      detached: true,
      stdio:
        options.captureFd3 === true ? ["pipe", "pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
    });
    const stdout = collector(options.maxOutputBytes);
    const stderr = collector(options.maxOutputBytes);
    const fd3 = collector(64 * 1024);
    child.stdout.on("data", stdout.push);
    child.stderr.on("data", stderr.push);
    const extra = child.stdio[3];
    if (extra !== undefined && extra !== null && "on" in extra) {
      extra.on("data", fd3.push);
    }

    let killedFor: KillReason | null = null;
    let settled = false;
    let watching = false;

    const killGroup = (reason: KillReason) => {
      if (killedFor === null) {
        killedFor = reason;
      }
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is already gone.
        }
      }
      child.kill("SIGKILL");
      // A stream held open by a process outside the group would stall "close".
      // The sandbox's pid namespace leaves no such process, and this timer
      // bounds the wait if one ever exists.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        (child.stdio[3] as { destroy?: () => void } | null | undefined)?.destroy?.();
      }, CLOSE_GRACE_MS).unref();
    };

    const timer = setTimeout(() => killGroup("timeout"), options.timeoutMs);
    const onAbort = () => killGroup("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) {
      onAbort();
    }

    const poller =
      options.watch === undefined
        ? undefined
        : setInterval(() => {
            if (watching || settled || options.watch === undefined) {
              return;
            }
            watching = true;
            options.watch
              .check()
              .then((reason) => {
                if (reason !== null && !settled) {
                  killGroup(reason);
                }
              })
              .catch(() => {
                // A failed size check must not leave an unbounded writer running.
                if (!settled) {
                  killGroup("disk_quota");
                }
              })
              .finally(() => {
                watching = false;
              });
          }, options.watch.intervalMs);

    const finish = () => {
      clearTimeout(timer);
      if (poller !== undefined) {
        clearInterval(poller);
      }
      options.signal?.removeEventListener("abort", onAbort);
    };

    child.on("error", (error) => {
      if (settled) {
        return;
      }
      settled = true;
      finish();
      reject(error);
    });
    child.on("close", (code, signal) => {
      if (settled) {
        return;
      }
      settled = true;
      finish();
      const outcome: ProcessOutcome = {
        exitCode: code,
        signal,
        stdout: stdout.result(),
        stderr: stderr.result(),
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - start),
        killedFor,
      };
      if (options.captureFd3 === true) {
        outcome.fd3 = fd3.result().data;
      }
      resolve(outcome);
    });

    // EPIPE when the process exits without reading its input is expected.
    child.stdin.on("error", () => {});
    if (options.stdin !== undefined) {
      child.stdin.end(options.stdin);
    } else {
      child.stdin.end();
    }
  });
}

function collector(limit: number) {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  return {
    push: (chunk: Buffer) => {
      total += chunk.length;
      if (kept < limit) {
        const slice = chunk.subarray(0, limit - kept);
        chunks.push(slice);
        kept += slice.length;
      }
    },
    result: (): CapturedOutput => ({
      data: Buffer.concat(chunks),
      bytes: total,
      truncated: total > kept,
    }),
  };
}
