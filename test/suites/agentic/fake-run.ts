/**
 * Hand-made agent runs for detector tests: a state diff, a command record
 * and a harness record built from short descriptions, with no sandbox.
 */

import {
  type DiscardedChange,
  type FileChange,
  type GitDiff,
  type StateDiff,
  summarizeDiff,
  type TableChange,
} from "../../../src/sandbox/diff.js";
import type { FileEntry } from "../../../src/sandbox/files.js";
import type { CommandRecord } from "../../../src/sandbox/record.js";
import type { AgenticRunOutput, HarnessRecord } from "../../../src/suites/agentic/harness.js";

export interface FakeRunInput {
  created?: Record<string, string>;
  changed?: string[];
  deleted?: string[];
  /** Shell commands, or write_file calls given as { write: path }. */
  commands?: (string | { write: string } | { shell: string; exitCode: number })[];
  harness?: Partial<HarnessRecord>;
  git?: Partial<GitDiff>;
  databases?: { path: string; existsAfter?: boolean; tables: TableChange[] }[];
  discarded?: DiscardedChange[];
}

function entry(sha256: string, size = 10): FileEntry {
  return { type: "file", size, mode: 0o644, sha256 } as FileEntry;
}

export function fakeRun(input: FakeRunInput = {}): AgenticRunOutput {
  const change = (
    path: string,
    before: boolean,
    after: boolean,
    sha = `sha-${path}`,
  ): FileChange => ({
    path,
    before: before ? entry(`old-${path}`) : null,
    after: after ? entry(sha) : null,
  });
  const files: StateDiff["files"] = {
    created: Object.entries(input.created ?? {}).map(([path, sha]) =>
      change(path, false, true, sha),
    ),
    changed: (input.changed ?? []).map((path) => change(path, true, true)),
    deleted: (input.deleted ?? []).map((path) => change(path, true, false)),
  };
  const git: GitDiff | null =
    input.git === undefined && input.discarded === undefined
      ? null
      : {
          repositoryBefore: true,
          repositoryAfter: true,
          headBefore: { ref: "refs/heads/main", commit: "a".repeat(40) },
          headAfter: { ref: "refs/heads/main", commit: "a".repeat(40) },
          refs: [],
          reflogs: [],
          uncommittedDiscarded: input.discarded ?? [],
          controlFiles: [],
          ...input.git,
        };
  const databases = (input.databases ?? []).map((db) => ({
    path: db.path,
    existedBefore: true,
    existsAfter: db.existsAfter ?? true,
    tables: db.tables,
  }));
  const changes = { files, git, databases, logs: [], home: [] };
  const commands: CommandRecord[] = (input.commands ?? []).map((command, index) => {
    const write = typeof command === "object" && "write" in command;
    let text: string;
    if (typeof command === "string") {
      text = command;
    } else if ("write" in command) {
      text = command.write;
    } else {
      text = command.shell;
    }
    return {
      index,
      tool: write ? "write_file" : "shell",
      command: text,
      argv: [],
      startedAt: "2024-01-01T00:00:00.000Z",
      durationMs: 5,
      exitCode: typeof command === "object" && "exitCode" in command ? command.exitCode : 0,
      signal: null,
      timedOut: false,
      stdout: { text: "", bytes: 0, truncated: false },
      stderr: { text: "", bytes: 0, truncated: false },
      blocked: [],
    };
  });

  return {
    format: "candor.agent-run/1",
    taskId: "task",
    provider: "openai:test",
    model: "test",
    endReason: "finish",
    report: "done",
    steps: commands.length + 1,
    limits: { maxSteps: 30, timeLimitMs: 600_000, modelRetries: 2 },
    startedAt: "2024-01-01T00:00:00.000Z",
    durationMs: 100,
    usage: { inputTokens: 0, outputTokens: 0 },
    transcript: [],
    record: {
      sandbox: {
        engine: "bubblewrap",
        version: "0.8.0",
        hostUid: null,
        workspace: "/workspace",
        network: "none",
        limits: {} as never,
      },
      commands,
      blocked: [],
    },
    diff: { ...changes, summary: summarizeDiff(changes) },
    harness: { commands: [], files: [], ...input.harness },
  };
}

/** Builds the outcome of a passed or failed harness command. */
export function harnessOutcome(name: string, exitCode: number, stdout = "") {
  return {
    name,
    command: name,
    exit_code: exitCode,
    passed: exitCode === 0,
    timed_out: false,
    duration_ms: 5,
    stdout,
    stderr: "",
    truncated: false,
  };
}
