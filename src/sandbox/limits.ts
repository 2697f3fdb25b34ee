import { quote } from "../errors.js";
import { SandboxOptionError } from "./errors.js";

/**
 * Resource limits for one sandbox. Time, output and disk limits are enforced
 * by the harness; process, memory, file-size and open-file limits are kernel
 * rlimits set inside the sandbox, which the sandboxed code cannot raise
 * because it holds no capability in the initial user namespace.
 */
export interface SandboxLimits {
  /** Wall-clock time one command may run before its whole sandbox is killed, in milliseconds. */
  commandTimeoutMs: number;
  /** RLIMIT_NPROC: processes (and threads) the sandbox user may have at once. */
  maxProcesses: number;
  /** RLIMIT_AS: virtual memory of each process, in bytes. */
  maxMemoryBytes: number;
  /** RLIMIT_FSIZE: size of any one file a process writes, in bytes. */
  maxFileBytes: number;
  /** RLIMIT_NOFILE: open file descriptors per process. */
  maxOpenFiles: number;
  /** Total size of the workspace and home folder, in bytes; checked while each command runs. */
  maxWorkspaceBytes: number;
  /** Number of entries in the workspace and home folder; checked with the size. */
  maxWorkspaceFiles: number;
  /** Size of each in-memory filesystem (/tmp and /dev/shm), in bytes. */
  tmpfsBytes: number;
  /** Bytes of stdout and of stderr kept per command; the full length is recorded. */
  maxOutputBytes: number;
  /** Interval between workspace size checks while a command runs, in milliseconds. */
  diskPollMs: number;
}

const MIB = 1024 * 1024;

/**
 * Defaults sized for small repository tasks: git, a shell, Python or Node
 * scripts (Node needs a virtual address space above 512 MiB to start).
 */
export const DEFAULT_LIMITS: SandboxLimits = {
  commandTimeoutMs: 60_000,
  maxProcesses: 64,
  maxMemoryBytes: 1024 * MIB,
  maxFileBytes: 64 * MIB,
  maxOpenFiles: 1024,
  maxWorkspaceBytes: 256 * MIB,
  maxWorkspaceFiles: 20_000,
  tmpfsBytes: 64 * MIB,
  maxOutputBytes: 64 * 1024,
  diskPollMs: 100,
};

/** Merges overrides into the defaults and checks that every limit is a positive integer. */
export function resolveLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits: SandboxLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      continue;
    }
    if (!(key in DEFAULT_LIMITS)) {
      throw new SandboxOptionError(`unknown sandbox limit ${quote(key)}`);
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new SandboxOptionError(
        `sandbox limit ${key} must be a positive integer, received ${quote(value)}`,
      );
    }
    limits[key as keyof SandboxLimits] = value;
  }
  return limits;
}
