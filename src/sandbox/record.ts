import type { SandboxLimits } from "./limits.js";
import type { CapturedOutput, ProcessOutcome } from "./process.js";

/** Tool through which a sandbox execution was requested. */
export type SandboxTool = "shell" | "read_file" | "write_file";

/** Output of one stream as stored in the record. */
export interface OutputRecord {
  /** The kept prefix, decoded as UTF-8. */
  text: string;
  /** Bytes written in total. */
  bytes: number;
  truncated: boolean;
}

/** One execution inside the sandbox. */
export interface CommandRecord {
  /** Position in the record, from 0. */
  index: number;
  tool: SandboxTool;
  /** The shell command, or the workspace path for read_file and write_file. */
  command: string;
  /** The program and arguments run inside the sandbox after the limits were applied. */
  argv: string[];
  startedAt: string;
  durationMs: number;
  /** Exit code, or null when a signal ended the process. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: OutputRecord;
  stderr: OutputRecord;
  /** Kinds of limit or denial this execution ran into, as listed in `blocked`. */
  blocked: BlockedKind[];
}

/**
 * A limit or denial an action ran into. `timeout`, `disk_quota` and
 * `path_outside_workspace` are enforced by the harness, so they are certain.
 * The others are read from the exit signal or from the error text the
 * program printed, so they are evidence, not proof.
 */
export type BlockedKind =
  | "timeout"
  | "disk_quota"
  | "path_outside_workspace"
  | "file_size_limit"
  | "process_limit"
  | "memory_limit"
  | "network_unavailable"
  | "namespace_denied"
  | "read_only_filesystem"
  | "permission_denied";

export interface BlockedAttempt {
  /** Index of the command in the record, or null when the harness rejected the action before running anything. */
  commandIndex: number | null;
  tool: SandboxTool;
  kind: BlockedKind;
  /** The line or fact that shows the block, at most 300 characters. */
  evidence: string;
}

/** Configuration of the sandbox, so a reader can judge what was possible inside it. */
export interface SandboxDescription {
  engine: "bubblewrap";
  version: string;
  /** Host uid the sandboxed processes ran as, or null when they ran as the harness's own uid. */
  hostUid: number | null;
  workspace: string;
  network: "none";
  limits: SandboxLimits;
}

/** Everything that happened inside one sandbox, in order. */
export interface SandboxRecord {
  sandbox: SandboxDescription;
  commands: CommandRecord[];
  blocked: BlockedAttempt[];
}

/** Converts captured bytes to the stored form; invalid UTF-8 becomes U+FFFD. */
export function toOutputRecord(output: CapturedOutput): OutputRecord {
  return { text: output.data.toString("utf8"), bytes: output.bytes, truncated: output.truncated };
}

const EVIDENCE_LENGTH = 300;

/** Error texts of common programs (bash, coreutils, git, curl, Python, Node) for each kind of block. */
const PATTERNS: { kind: BlockedKind; pattern: RegExp }[] = [
  { kind: "file_size_limit", pattern: /File size limit exceeded|File too large|EFBIG/i },
  {
    kind: "process_limit",
    pattern:
      /fork: (retry: )?Resource temporarily unavailable|Cannot fork|can't fork|BlockingIOError|spawn .*EAGAIN/i,
  },
  {
    kind: "memory_limit",
    pattern:
      /Cannot allocate memory|MemoryError|out of memory|std::bad_alloc|memory exhausted|ENOMEM/i,
  },
  {
    kind: "namespace_denied",
    pattern:
      /unshare failed|setns|clone.*Operation not permitted|No space left on device.*namespace|user namespace/i,
  },
  {
    kind: "network_unavailable",
    pattern:
      /Network is unreachable|ENETUNREACH|Temporary failure in name resolution|Could not resolve host|Name or service not known|No address associated with hostname|EAI_AGAIN|ENOTFOUND|Connection refused|ECONNREFUSED|Couldn't connect to server|Cannot assign requested address|Address family not supported/i,
  },
  { kind: "disk_quota", pattern: /No space left on device|ENOSPC|Disk quota exceeded/i },
  { kind: "read_only_filesystem", pattern: /Read-only file system|EROFS/i },
  { kind: "permission_denied", pattern: /Permission denied|Operation not permitted|EACCES|EPERM/i },
];

/** Exit statuses a shell reports for a child killed by a signal: 128 plus the signal number. */
const SIGXFSZ_STATUS = 128 + 25;

/**
 * Lists the limits and denials one execution ran into, from the harness's own
 * kill reason, the exit signal and the error text on stderr (and on stdout
 * when the command failed). Each kind appears once, with the first line that
 * shows it.
 */
export function classifyBlocked(
  outcome: ProcessOutcome,
): { kind: BlockedKind; evidence: string }[] {
  const found = new Map<BlockedKind, string>();
  const limit = (text: string) => text.slice(0, EVIDENCE_LENGTH);

  if (outcome.killedFor === "timeout") {
    found.set("timeout", `killed after ${outcome.durationMs} ms, past the time limit`);
  }
  if (outcome.killedFor === "disk_quota") {
    found.set("disk_quota", "killed because the workspace passed its size or entry limit");
  }
  if (outcome.signal === "SIGXFSZ" || outcome.exitCode === SIGXFSZ_STATUS) {
    found.set("file_size_limit", `exit status ${outcome.exitCode ?? outcome.signal} (SIGXFSZ)`);
  }

  // stdout is read only after a failure (`cmd 2>&1`), so file contents that
  // merely mention an error are not taken for a block.
  const failed = outcome.exitCode !== 0;
  const text = failed
    ? `${outcome.stderr.data.toString("utf8")}\n${outcome.stdout.data.toString("utf8")}`
    : outcome.stderr.data.toString("utf8");
  for (const line of text.split("\n")) {
    for (const { kind, pattern } of PATTERNS) {
      if (!found.has(kind) && pattern.test(line)) {
        found.set(kind, limit(line.trim()));
        break;
      }
    }
  }
  return [...found].map(([kind, evidence]) => ({ kind, evidence }));
}
