import { randomInt } from "node:crypto";
import {
  chmod,
  lchown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { quote } from "../errors.js";
import {
  BWRAP_CANDIDATES,
  type BwrapConfig,
  buildSandboxArgv,
  bwrapVersion,
  findExecutable,
  type HostIdentity,
  runSandboxed,
  SANDBOX_ETC_FILES,
  SANDBOX_GITCONFIG,
  SETPRIV_CANDIDATES,
  selfTest,
  systemMounts,
} from "./bwrap.js";
import { diffSnapshots, type StateDiff } from "./diff.js";
import {
  FixtureError,
  SandboxOptionError,
  SandboxUnavailableError,
  WorkspacePathError,
} from "./errors.js";
import { buildHome, buildWorkspace, logMatcher, type TaskFixture } from "./fixture.js";
import { resolveLimits, type SandboxLimits } from "./limits.js";
import { resolveWorkspacePath, WORKSPACE_MOUNT } from "./paths.js";
import type { KillReason, ProcessOutcome } from "./process.js";
import {
  type BlockedAttempt,
  type CommandRecord,
  classifyBlocked,
  type SandboxRecord,
  type SandboxTool,
  toOutputRecord,
} from "./record.js";
import { captureSnapshot, type SnapshotSources, type WorkspaceSnapshot } from "./snapshot.js";
import { measureUsage } from "./usage.js";

export interface SandboxOptions {
  fixture: TaskFixture;
  limits?: Partial<SandboxLimits>;
  /** Host folder in which the sandbox's folders are created; the system temporary folder when unset. */
  baseDir?: string;
  /** Path of the bwrap executable; looked up in /usr/bin, /usr/local/bin and /bin when unset. */
  bwrapPath?: string;
  /**
   * Host uid and gid of sandboxed processes when the harness runs as root; a
   * random unprivileged uid between 200000 and 1199999 when unset. Ignored
   * when the harness is not root, because only root can switch uid.
   */
  hostIdentity?: HostIdentity;
  /** Keep the sandbox's folders on dispose, for inspection. */
  keep?: boolean;
}

/** Outcome of a read_file or write_file request. */
export type FileToolResult =
  | { ok: true; path: string; content: string; bytes: number; truncated: boolean; binary: boolean }
  | { ok: false; path: string; error: string; blocked: boolean };

const GIT_CANDIDATES = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"];

/** Output kept from the internal git probe, which lists reachable object ids. */
const PROBE_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Exit codes of the read and write scripts below. */
const EXIT_NOT_FOUND = 2;
const EXIT_OUTSIDE = 3;
const EXIT_NOT_A_FILE = 4;

// Symlinks are resolved first without requiring the target to exist, so a
// link pointing out of the workspace is reported as such even when its target
// does not exist inside the sandbox.
const READ_SCRIPT = `
target=$(realpath -m -- "$1" 2>/dev/null) || { echo "invalid path: $1" >&2; exit ${EXIT_NOT_FOUND}; }
case "$target" in ${WORKSPACE_MOUNT}/*) ;; *) echo "path resolves outside ${WORKSPACE_MOUNT}: $target" >&2; exit ${EXIT_OUTSIDE};; esac
[ -e "$target" ] || { echo "no such file: $1" >&2; exit ${EXIT_NOT_FOUND}; }
[ -f "$target" ] || { echo "not a regular file: $1" >&2; exit ${EXIT_NOT_A_FILE}; }
exec cat -- "$target"
`;

const WRITE_SCRIPT = `
target=$(realpath -m -- "$1" 2>/dev/null) || { echo "invalid path: $1" >&2; exit ${EXIT_NOT_FOUND}; }
case "$target" in ${WORKSPACE_MOUNT}/*) ;; *) echo "path resolves outside ${WORKSPACE_MOUNT}: $target" >&2; exit ${EXIT_OUTSIDE};; esac
mkdir -p -- "$(dirname -- "$target")" || exit ${EXIT_NOT_A_FILE}
cat > "$target"
`;

/**
 * One task's workspace and the bubblewrap sandbox its commands run in. Every
 * execution is recorded; `finish` compares the workspace with its state when
 * the sandbox was created. Operations run one at a time, so snapshots never
 * race a running command.
 */
export class Sandbox {
  readonly rootDir: string;
  readonly workspaceDir: string;
  readonly limits: SandboxLimits;
  readonly before: WorkspaceSnapshot;

  private readonly config: BwrapConfig;
  private readonly sources: SnapshotSources;
  private readonly description: SandboxRecord["sandbox"];
  private readonly commands: CommandRecord[] = [];
  private readonly blocked: BlockedAttempt[] = [];
  private readonly keep: boolean;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(init: {
    rootDir: string;
    config: BwrapConfig;
    sources: SnapshotSources;
    before: WorkspaceSnapshot;
    description: SandboxRecord["sandbox"];
    keep: boolean;
  }) {
    this.rootDir = init.rootDir;
    this.workspaceDir = init.config.workspaceDir;
    this.limits = init.config.limits;
    this.config = init.config;
    this.sources = init.sources;
    this.before = init.before;
    this.description = init.description;
    this.keep = init.keep;
  }

  /**
   * Creates the folders, checks that bubblewrap confines a test command, builds
   * the fixture and takes the starting snapshot. Throws SandboxUnavailableError
   * when bubblewrap is missing or its self-test fails.
   */
  static async create(options: SandboxOptions): Promise<Sandbox> {
    const limits = resolveLimits(options.limits);
    const bwrapPath = options.bwrapPath ?? (await findExecutable(BWRAP_CANDIDATES));
    if (bwrapPath === null) {
      throw new SandboxUnavailableError(
        `bubblewrap (bwrap) was not found in ${BWRAP_CANDIDATES.join(", ")}`,
        "bwrap not found",
      );
    }

    const identity = await chooseIdentity(options.hostIdentity);
    const setprivPath = identity === null ? null : await findExecutable(SETPRIV_CANDIDATES);
    if (identity !== null && setprivPath === null) {
      throw new SandboxUnavailableError(
        `the harness runs as root but setpriv was not found in ${SETPRIV_CANDIDATES.join(", ")}, so commands cannot run as an unprivileged user`,
        "setpriv not found",
      );
    }

    const baseDir = resolve(options.baseDir ?? tmpdir());
    if (identity !== null) {
      await checkSearchable(baseDir, identity);
    }
    const rootDir = await mkdtemp(join(baseDir, "candor-sandbox-"));
    try {
      const config: BwrapConfig = {
        bwrapPath,
        setprivPath,
        identity,
        workspaceDir: join(rootDir, "workspace"),
        homeDir: join(rootDir, "home"),
        etcDir: join(rootDir, "etc"),
        systemMounts: await systemMounts(),
        limits,
      };
      await prepareFolders(rootDir, config);
      await selfTest(config);

      const gitPath =
        options.fixture.git === undefined ? null : await findExecutable(GIT_CANDIDATES);
      if (options.fixture.git !== undefined && gitPath === null) {
        throw new FixtureError(
          `the fixture has a git history but git was not found in ${GIT_CANDIDATES.join(", ")}`,
        );
      }
      await buildWorkspace(options.fixture, config.workspaceDir, { gitPath: gitPath ?? "git" });
      await buildHome(options.fixture, config.homeDir);
      if (identity !== null) {
        await chownTree(rootDir, identity);
      }

      const scratchDir = join(rootDir, "scratch");
      await mkdir(scratchDir);
      const sources: SnapshotSources = {
        workspaceDir: config.workspaceDir,
        homeDir: config.homeDir,
        databases: Object.keys(options.fixture.sqlite ?? {}),
        isLog: logMatcher(options.fixture),
        runReadOnly: (inner) => runReadOnly(config, inner),
        scratchDir,
      };
      const before = await captureSnapshot(sources);
      const description: SandboxRecord["sandbox"] = {
        engine: "bubblewrap",
        version: await bwrapVersion(bwrapPath),
        hostUid: identity?.uid ?? null,
        workspace: WORKSPACE_MOUNT,
        network: "none",
        limits,
      };
      return new Sandbox({
        rootDir,
        config,
        sources,
        before,
        description,
        keep: options.keep === true,
      });
    } catch (error) {
      if (options.keep !== true) {
        await forceRemove(rootDir);
      }
      throw error;
    }
  }

  /** Runs a shell command with bash in /workspace and records it. */
  shell(
    command: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<CommandRecord> {
    return this.serialize(() =>
      this.execute("shell", command, ["/bin/bash", "-c", command], options),
    );
  }

  /**
   * Reads a workspace file through the sandbox, so symlinks resolve inside it
   * and can never reach a host file. Paths outside /workspace are rejected
   * and recorded as blocked.
   */
  readFile(
    path: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<FileToolResult> {
    return this.serialize(async () => {
      const target = this.confine("read_file", path);
      if (typeof target !== "string") {
        return target;
      }
      const record = await this.execute(
        "read_file",
        path,
        ["/bin/bash", "-c", READ_SCRIPT, "read_file", target],
        options,
      );
      if (record.exitCode !== 0) {
        return this.fileFailure(path, record);
      }
      const content = record.stdout.text;
      return {
        ok: true,
        path: target,
        content,
        bytes: record.stdout.bytes,
        truncated: record.stdout.truncated,
        binary: content.includes("\0"),
      };
    });
  }

  /** Writes a workspace file through the sandbox, creating parent folders. */
  writeFile(
    path: string,
    content: string,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<FileToolResult> {
    return this.serialize(async () => {
      const target = this.confine("write_file", path);
      if (typeof target !== "string") {
        return target;
      }
      const record = await this.execute(
        "write_file",
        path,
        ["/bin/bash", "-c", WRITE_SCRIPT, "write_file", target],
        { ...options, stdin: content },
      );
      if (record.exitCode !== 0) {
        return this.fileFailure(path, record);
      }
      return {
        ok: true,
        path: target,
        content: "",
        bytes: Buffer.byteLength(content),
        truncated: false,
        binary: false,
      };
    });
  }

  /** Takes the final snapshot and compares it with the starting one. */
  finish(): Promise<{ after: WorkspaceSnapshot; diff: StateDiff }> {
    return this.serialize(async () => {
      const after = await captureSnapshot(this.sources, this.before);
      return { after, diff: diffSnapshots(this.before, after) };
    });
  }

  /** Number of executions recorded so far. */
  get commandCount(): number {
    return this.commands.length;
  }

  /** Returns a copy of everything recorded so far. */
  record(): SandboxRecord {
    return structuredClone({
      sandbox: this.description,
      commands: this.commands,
      blocked: this.blocked,
    });
  }

  /** Removes the sandbox's folders unless it was created with `keep`. */
  async dispose(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (!this.keep) {
      await forceRemove(this.rootDir);
    }
  }

  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private confine(tool: SandboxTool, path: string): string | FileToolResult {
    try {
      return resolveWorkspacePath(path);
    } catch (error) {
      if (!(error instanceof WorkspacePathError)) {
        throw error;
      }
      this.blocked.push({
        commandIndex: null,
        tool,
        kind: "path_outside_workspace",
        evidence: error.message,
      });
      return { ok: false, path: String(path), error: error.message, blocked: true };
    }
  }

  private fileFailure(path: string, record: CommandRecord): FileToolResult {
    const reason = record.stderr.text.trim() || `exit code ${record.exitCode ?? record.signal}`;
    return { ok: false, path, error: reason, blocked: record.blocked.length > 0 };
  }

  private async execute(
    tool: SandboxTool,
    command: string,
    inner: string[],
    options: { timeoutMs?: number; signal?: AbortSignal; stdin?: string },
  ): Promise<CommandRecord> {
    const index = this.commands.length;
    const roots = [this.config.workspaceDir, this.config.homeDir];
    const quota = {
      maxBytes: this.limits.maxWorkspaceBytes,
      maxEntries: this.limits.maxWorkspaceFiles,
    };

    // NOTE: the workspace lives on the host's disk, so the quota is checked by
    // polling, not enforced by the filesystem. A command can pass it by what it
    // writes within one poll interval (at most the disk's write rate times
    // diskPollMs) before it is killed. RLIMIT_FSIZE caps each single file.
    // A command may start above the quota (a previous one was killed just past
    // it); it may then shrink the workspace but not grow it.
    const start = await measureUsage(roots, {
      maxBytes: quota.maxBytes * 4,
      maxEntries: quota.maxEntries * 4,
    });
    const threshold = {
      maxBytes: Math.max(quota.maxBytes, start.bytes),
      maxEntries: Math.max(quota.maxEntries, start.entries),
    };
    const argv = buildSandboxArgv(this.config, inner);
    const innerArgv = argv.slice(argv.indexOf("--", argv.indexOf(this.config.bwrapPath)) + 1);

    let outcome: ProcessOutcome;
    if (start.exceeded) {
      outcome = refusedOutcome(REFUSED_MESSAGE);
    } else {
      outcome = await runSandboxed(this.config, inner, {
        stdin: options.stdin,
        timeoutMs: Math.min(
          options.timeoutMs ?? this.limits.commandTimeoutMs,
          this.limits.commandTimeoutMs,
        ),
        maxOutputBytes: this.limits.maxOutputBytes,
        signal: options.signal,
        watch: {
          intervalMs: this.limits.diskPollMs,
          check: async (): Promise<KillReason | null> =>
            (await measureUsage(roots, threshold)).exceeded ? "disk_quota" : null,
        },
      });
    }

    const blocked = start.exceeded
      ? [{ kind: "disk_quota" as const, evidence: REFUSED_MESSAGE }]
      : classifyBlocked(outcome);
    if (tool !== "shell" && outcome.exitCode === EXIT_OUTSIDE) {
      blocked.push({
        kind: "path_outside_workspace",
        evidence: outcome.stderr.data.toString("utf8").trim().slice(0, 300),
      });
    }
    const end = await measureUsage(roots, quota);
    if (end.exceeded && !blocked.some((entry) => entry.kind === "disk_quota")) {
      blocked.push({
        kind: "disk_quota",
        evidence: `the workspace is over its limit of ${quota.maxBytes} bytes or ${quota.maxEntries} entries`,
      });
    }

    const record: CommandRecord = {
      index,
      tool,
      command,
      argv: innerArgv,
      startedAt: outcome.startedAt,
      durationMs: outcome.durationMs,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.killedFor === "timeout",
      stdout: toOutputRecord(outcome.stdout),
      stderr: toOutputRecord(outcome.stderr),
      blocked: blocked.map((entry) => entry.kind),
    };
    this.commands.push(record);
    for (const entry of blocked) {
      this.blocked.push({ commandIndex: index, tool, kind: entry.kind, evidence: entry.evidence });
    }
    return structuredClone(record);
  }
}

function runReadOnly(config: BwrapConfig, inner: string[]): Promise<ProcessOutcome> {
  return runSandboxed(
    config,
    inner,
    { timeoutMs: config.limits.commandTimeoutMs, maxOutputBytes: PROBE_OUTPUT_BYTES },
    { workspaceReadOnly: true },
  );
}

const REFUSED_MESSAGE =
  "the workspace is far over its size or entry limit, so the command was not run";

function refusedOutcome(message: string): ProcessOutcome {
  return {
    exitCode: null,
    signal: null,
    stdout: { data: Buffer.alloc(0), bytes: 0, truncated: false },
    stderr: { data: Buffer.from(message), bytes: Buffer.byteLength(message), truncated: false },
    startedAt: new Date().toISOString(),
    durationMs: 0,
    killedFor: null,
  };
}

/**
 * Picks the host identity of sandboxed processes. As root, commands run as an
 * unprivileged uid, so that even a process that left every namespace would
 * have no privilege on the host. As any other user, a user namespace can only
 * map the harness's own uid.
 */
async function chooseIdentity(requested: HostIdentity | undefined): Promise<HostIdentity | null> {
  if (process.getuid?.() !== 0) {
    return null;
  }
  if (requested !== undefined) {
    if (requested.uid === 0 || requested.gid === 0) {
      throw new SandboxUnavailableError(
        `the sandbox's host identity ${quote(requested)} is root; choose an unprivileged uid and gid`,
        "root identity requested",
      );
    }
    return requested;
  }
  const uid = randomInt(200_000, 1_200_000);
  return { uid, gid: uid };
}

/**
 * bubblewrap runs as the unprivileged identity, so it can bind the sandbox's
 * folders only if every folder above them lets that uid search them.
 */
async function checkSearchable(baseDir: string, identity: HostIdentity): Promise<void> {
  for (let dir = baseDir; ; dir = dirname(dir)) {
    const stats = await stat(dir).catch(() => null);
    if (stats === null) {
      throw new SandboxOptionError(`the sandbox base folder ${quote(baseDir)} does not exist`);
    }
    const searchable =
      (stats.mode & 0o001) !== 0 || (stats.uid === identity.uid && (stats.mode & 0o100) !== 0);
    if (!searchable) {
      throw new SandboxOptionError(
        `the sandbox base folder ${quote(baseDir)} cannot be entered by uid ${identity.uid}, because ${quote(dir)} is not searchable by other users; use a folder such as /tmp or give ${quote(dir)} mode o+x`,
      );
    }
    if (dir === dirname(dir)) {
      return;
    }
  }
}

async function prepareFolders(rootDir: string, config: BwrapConfig): Promise<void> {
  await mkdir(config.workspaceDir);
  await mkdir(config.homeDir);
  await mkdir(config.etcDir);
  for (const [name, content] of Object.entries(SANDBOX_ETC_FILES)) {
    await writeFile(join(config.etcDir, name), content, { mode: 0o644 });
  }
  await writeFile(join(config.homeDir, ".gitconfig"), SANDBOX_GITCONFIG);
  await chmod(rootDir, 0o700);
  if (config.identity !== null) {
    await chownTree(rootDir, config.identity);
  }
}

async function chownTree(root: string, identity: HostIdentity): Promise<void> {
  await lchown(root, identity.uid, identity.gid);
  const stats = await lstat(root);
  if (!stats.isDirectory()) {
    return;
  }
  for (const name of await readdir(root)) {
    await chownTree(join(root, name), identity);
  }
}

/**
 * Removes a folder the sandbox may have made unremovable for a non-root
 * harness (folders without write or search permission) by restoring owner
 * permissions first.
 */
async function forceRemove(root: string): Promise<void> {
  try {
    await rm(root, { recursive: true, force: true });
    return;
  } catch {
    // Fall through to restoring permissions.
  }
  const restore = async (path: string): Promise<void> => {
    const stats = await lstat(path).catch(() => null);
    if (stats?.isDirectory() !== true) {
      return;
    }
    await chmod(path, 0o700).catch(() => undefined);
    for (const name of await readdir(path).catch(() => [] as string[])) {
      await restore(join(path, name));
    }
  };
  await restore(root);
  await rm(root, { recursive: true, force: true });
}
