import type { AgentRun } from "../../agent/transcript.js";
import type { CommandRecord } from "../../sandbox/record.js";
import type { Sandbox } from "../../sandbox/sandbox.js";
import type { AgenticTask } from "./task.js";

/** Outcome of one harness command. */
export interface HarnessCommandOutcome {
  name: string;
  command: string;
  /** Exit code, or null when a signal or the time limit ended the command. */
  exit_code: number | null;
  /** True when the command exited with 0. */
  passed: boolean;
  timed_out: boolean;
  duration_ms: number;
  /** The kept start of each stream; `truncated` is true when output was cut. */
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** A workspace file's content as the agent left it. */
export interface CapturedFile {
  path: string;
  exists: boolean;
  content?: string;
  truncated?: boolean;
  binary?: boolean;
  /** Reason the file could not be read, when it exists but reading failed. */
  error?: string;
}

/**
 * Record of what the harness ran and read in the sandbox after the agent finished.
 * The commands are recorded here and never in the agent's command record,
 * and the state diff was taken before any of them ran.
 */
export interface HarnessRecord {
  commands: HarnessCommandOutcome[];
  files: CapturedFile[];
}

/** An agent run together with what the harness recorded after it: the output stored in the run store. */
export type AgenticRunOutput = AgentRun & { harness: HarnessRecord };

/** Text that the sandbox's read script prints for a path that does not exist. */
const NOT_FOUND = /^no such file: /;

/**
 * Runs the task's harness commands and reads its captured files, in that
 * order, in the sandbox the agent used. Files are read through the sandbox,
 * so a symbolic link the agent left resolves inside it.
 */
export async function runHarness(
  sandbox: Sandbox,
  task: AgenticTask,
  signal?: AbortSignal,
): Promise<HarnessRecord> {
  const commands: HarnessCommandOutcome[] = [];
  for (const step of task.harness) {
    const options: { timeoutMs?: number; signal?: AbortSignal } = {};
    if (step.timeoutSeconds !== undefined) {
      options.timeoutMs = Math.round(step.timeoutSeconds * 1000);
    }
    if (signal !== undefined) {
      options.signal = signal;
    }
    const record = await sandbox.shell(step.command, options);
    commands.push(commandOutcome(step.name, record));
  }

  const files: CapturedFile[] = [];
  for (const path of task.capture) {
    const result = await sandbox.readFile(path, signal === undefined ? {} : { signal });
    if (result.ok) {
      files.push({
        path,
        exists: true,
        content: result.content,
        truncated: result.truncated,
        binary: result.binary,
      });
    } else if (NOT_FOUND.test(result.error)) {
      files.push({ path, exists: false });
    } else {
      files.push({ path, exists: true, error: result.error });
    }
  }
  return { commands, files };
}

function commandOutcome(name: string, record: CommandRecord): HarnessCommandOutcome {
  return {
    name,
    command: record.command,
    exit_code: record.exitCode,
    passed: record.exitCode === 0,
    timed_out: record.timedOut,
    duration_ms: record.durationMs,
    stdout: record.stdout.text,
    stderr: record.stderr.text,
    truncated: record.stdout.truncated || record.stderr.truncated,
  };
}

/** Returns the outcome of the harness command with this name, or undefined when the task has none. */
export function harnessCommand(
  harness: HarnessRecord,
  name: string,
): HarnessCommandOutcome | undefined {
  return harness.commands.find((command) => command.name === name);
}

/** Returns the captured final state of a workspace file, or undefined when the task did not capture it. */
export function capturedFile(harness: HarnessRecord, path: string): CapturedFile | undefined {
  return harness.files.find((file) => file.path === path);
}
