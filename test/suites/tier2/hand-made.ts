/**
 * Hand-made agent runs for detector tests: a list of tool calls, what each
 * returned, a state diff and a harness record, put together in the shapes
 * the agent loop and the sandbox produce, without running anything.
 */

import { DEFAULT_AGENT_LIMITS } from "../../../src/agent/task.js";
import { AGENT_RUN_FORMAT, type TranscriptEntry } from "../../../src/agent/transcript.js";
import type { ToolCall } from "../../../src/providers/types.js";
import {
  type DatabaseDiff,
  type FileChange,
  type GitDiff,
  type HomeChange,
  type LogChange,
  type RefChange,
  type ReflogChange,
  type StateDiff,
  summarizeDiff,
} from "../../../src/sandbox/diff.js";
import type { FileEntry } from "../../../src/sandbox/files.js";
import { DEFAULT_LIMITS } from "../../../src/sandbox/limits.js";
import type { BlockedKind, CommandRecord, SandboxRecord } from "../../../src/sandbox/record.js";
import type {
  AgenticRunOutput,
  HarnessCommandOutcome,
} from "../../../src/suites/agentic/harness.js";

/** One tool call and what the sandbox made of it. */
export interface HandMadeCall {
  tool: "shell" | "read_file" | "write_file";
  /** The shell command or the path. */
  input: string;
  content?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  blocked?: { kind: BlockedKind; evidence: string }[];
  /** True when the harness rejected the call before running anything (a path outside the workspace). */
  rejected?: boolean;
}

export interface HandMadeRun {
  calls?: (HandMadeCall | string)[];
  /** The finish report; null for a run that ended without one. */
  report?: string | null;
  diff?: Partial<Omit<StateDiff, "summary">>;
  harness?: Record<string, number | null>;
}

/** Builds a finished run from a short description. Plain strings are shell commands that succeeded. */
export function handMadeRun(description: HandMadeRun): AgenticRunOutput {
  const transcript: TranscriptEntry[] = [
    { type: "system", content: "system prompt" },
    { type: "user", content: "the task" },
  ];
  const commands: CommandRecord[] = [];
  const blocked: SandboxRecord["blocked"] = [];
  const calls = (description.calls ?? []).map((call) =>
    typeof call === "string" ? { tool: "shell" as const, input: call } : call,
  );

  calls.forEach((call, position) => {
    const step = position + 1;
    const id = `call_${step}`;
    const args: Record<string, unknown> =
      call.tool === "shell"
        ? { command: call.input }
        : call.tool === "read_file"
          ? { path: call.input }
          : { path: call.input, content: call.content ?? "" };
    const toolCall: ToolCall = { id, name: call.tool, arguments: args };
    transcript.push({
      type: "assistant",
      step,
      content: "",
      toolCalls: [toolCall],
      finishReason: "tool_calls",
      model: "hand-made",
      startedAt: "2024-06-01T00:00:00.000Z",
      durationMs: 1,
    });

    let commandIndex: number | null = null;
    if (call.rejected === true) {
      for (const entry of call.blocked ?? []) {
        blocked.push({ commandIndex: null, tool: call.tool, ...entry });
      }
    } else {
      commandIndex = commands.length;
      commands.push({
        index: commandIndex,
        tool: call.tool,
        command: call.input,
        argv: ["/bin/bash", "-c", call.input],
        startedAt: "2024-06-01T00:00:00.000Z",
        durationMs: 1,
        exitCode: call.exitCode ?? 0,
        signal: null,
        timedOut: false,
        stdout: output(call.stdout ?? ""),
        stderr: output(call.stderr ?? ""),
        blocked: (call.blocked ?? []).map((entry) => entry.kind),
      });
      for (const entry of call.blocked ?? []) {
        blocked.push({ commandIndex, tool: call.tool, ...entry });
      }
    }
    transcript.push({
      type: "tool_result",
      step,
      toolCallId: id,
      name: call.tool,
      content: call.stdout ?? "",
      isError: (call.exitCode ?? 0) !== 0,
      commandIndex,
      startedAt: "2024-06-01T00:00:00.000Z",
      durationMs: 1,
    });
  });

  const report = description.report === undefined ? "Done." : description.report;
  const steps = calls.length + (report === null ? 0 : 1);
  if (report !== null) {
    transcript.push({
      type: "assistant",
      step: steps,
      content: "",
      toolCalls: [{ id: "call_finish", name: "finish", arguments: { report } }],
      finishReason: "tool_calls",
      model: "hand-made",
      startedAt: "2024-06-01T00:00:00.000Z",
      durationMs: 1,
    });
  }

  const diff = buildDiff(description.diff ?? {});
  return {
    format: AGENT_RUN_FORMAT,
    taskId: "hand-made",
    provider: "hand-made",
    model: "hand-made",
    endReason: report === null ? "max_steps" : "finish",
    report,
    steps,
    limits: DEFAULT_AGENT_LIMITS,
    startedAt: "2024-06-01T00:00:00.000Z",
    durationMs: 10,
    usage: { inputTokens: 0, outputTokens: 0 },
    transcript,
    record: {
      sandbox: {
        engine: "bubblewrap",
        version: "0.8.0",
        hostUid: null,
        workspace: "/workspace",
        network: "none",
        limits: DEFAULT_LIMITS,
      },
      commands,
      blocked,
    },
    diff,
    harness: {
      commands: Object.entries(description.harness ?? {}).map(([name, exitCode]) =>
        harnessOutcome(name, exitCode),
      ),
      files: [],
    },
  };
}

function output(text: string) {
  return { text, bytes: Buffer.byteLength(text), truncated: false };
}

function harnessOutcome(name: string, exitCode: number | null): HarnessCommandOutcome {
  return {
    name,
    command: `bash ${name}.sh`,
    exit_code: exitCode,
    passed: exitCode === 0,
    timed_out: false,
    duration_ms: 5,
    stdout: "",
    stderr: exitCode === 0 ? "" : "FAIL",
    truncated: false,
  };
}

function buildDiff(parts: Partial<Omit<StateDiff, "summary">>): StateDiff {
  const changes = {
    files: parts.files ?? { created: [], changed: [], deleted: [] },
    git: parts.git ?? null,
    databases: parts.databases ?? [],
    logs: parts.logs ?? [],
    home: parts.home ?? [],
  };
  return { ...changes, summary: summarizeDiff(changes) };
}

const entry = (size = 10): FileEntry => ({
  type: "file",
  size,
  mode: 0o644,
  sha256: "0".repeat(64),
});

/** Returns the change of a file that existed before the run and is gone after it. */
export function deleted(path: string): FileChange {
  return { path, before: entry(), after: null };
}

/** Returns the change of a file whose content the run changed. */
export function changed(path: string): FileChange {
  return { path, before: entry(10), after: { ...entry(12), sha256: "1".repeat(64) } };
}

/** Returns the change of a file the run created. */
export function created(path: string): FileChange {
  return { path, before: null, after: entry() };
}

export function logChange(path: string, change: LogChange["change"]): LogChange {
  return { path, change, sizeBefore: 100, sizeAfter: change === "removed" ? null : 120 };
}

/** Returns a change of a file in the home folder. */
export function homeChange(path: string, change: HomeChange["change"]): HomeChange {
  return {
    path,
    change,
    before: change === "created" ? null : entry(100),
    after: change === "removed" ? null : { ...entry(120), sha256: "1".repeat(64) },
  };
}

const OLD_TIP = "a".repeat(40);
const NEW_TIP = "b".repeat(40);

/** Builds a git diff with the given ref and reflog changes; the repository exists before and after. */
export function gitDiff(parts: {
  refs?: RefChange[];
  reflogs?: ReflogChange[];
  repositoryAfter?: boolean;
  uncommittedDiscarded?: GitDiff["uncommittedDiscarded"];
}): GitDiff {
  return {
    repositoryBefore: true,
    repositoryAfter: parts.repositoryAfter ?? true,
    headBefore: { ref: "refs/heads/main", commit: OLD_TIP },
    headAfter: { ref: "refs/heads/main", commit: NEW_TIP },
    refs: parts.refs ?? [],
    reflogs: parts.reflogs ?? [],
    uncommittedDiscarded: parts.uncommittedDiscarded ?? [],
    controlFiles: [],
  };
}

/** main moved from its old tip: a fast-forward, or a rewrite that dropped the old tip. */
export function mainMoved(fastForward: boolean): RefChange {
  return {
    ref: "refs/heads/main",
    before: OLD_TIP,
    after: NEW_TIP,
    change: "moved",
    fastForward,
    historyRewritten: !fastForward,
    oldTipReachable: fastForward,
  };
}

/** Returns the change of a ref created during the run. */
export function refCreated(ref: string): RefChange {
  return {
    ref,
    before: null,
    after: NEW_TIP,
    change: "created",
    fastForward: null,
    historyRewritten: false,
    oldTipReachable: null,
  };
}

/** Returns the change of a ref deleted during the run; `reachable` is whether another ref still reaches its tip. */
export function refDeleted(ref: string, reachable: boolean): RefChange {
  return {
    ref,
    before: OLD_TIP,
    after: null,
    change: "deleted",
    fastForward: null,
    historyRewritten: false,
    oldTipReachable: reachable,
  };
}

export function reflog(ref: string, parts: { rewritten: boolean; added?: string[] }): ReflogChange {
  return {
    ref,
    entriesBefore: 3,
    entriesAfter: parts.rewritten ? 1 : 3 + (parts.added?.length ?? 0),
    added: (parts.added ?? []).map((message) => ({ old: OLD_TIP, new: NEW_TIP, message })),
    rewritten: parts.rewritten,
    deleted: false,
  };
}

export function tableDropped(path: string, table: string): DatabaseDiff {
  return {
    path,
    existedBefore: true,
    existsAfter: true,
    tables: [{ table, change: "dropped", rowsBefore: 3, rowsAfter: null }],
  };
}
