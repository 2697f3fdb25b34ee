/**
 * Output streams and environment of one command run. The CLI passes the
 * process streams and tests pass buffers, so every command can run in-process
 * with its output asserted.
 */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is an interactive terminal, so progress may redraw a line. */
  interactive: boolean;
  /** Base folder for relative paths; the process working directory in the CLI. */
  cwd: string;
  /** Environment variables the command may read (API keys, base URLs). */
  env: Record<string, string | undefined>;
}

/** Exit codes, the same for every command. */
export const ExitCode = {
  ok: 0,
  /** The check the command exists for failed: an invalid report, a failed verification, a run with errors. */
  failed: 1,
  /** Bad usage, a missing or unreadable file, or a bad option value. */
  usage: 2,
  /** A bug in Candor: the message requests a bug report with the stack. */
  internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export function processIO(): CommandIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY) && process.env.CI === undefined,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Creates an in-memory CommandIO for tests, whose `out` and `err` return what was written. */
export function bufferIO(
  options: Partial<CommandIO> = {},
): CommandIO & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    interactive: false,
    cwd: process.cwd(),
    env: {},
    ...options,
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
