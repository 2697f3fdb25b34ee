import { access, constants, lstat, readFile, readlink } from "node:fs/promises";
import { SandboxError, SandboxUnavailableError } from "./errors.js";
import type { SandboxLimits } from "./limits.js";
import { HOME_MOUNT, WORKSPACE_MOUNT } from "./paths.js";
import { type ProcessOutcome, type RunProcessOptions, runProcess } from "./process.js";

/** uid and gid of the sandbox user inside its user namespace. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;

/** Paths searched for bubblewrap when no path is given. */
export const BWRAP_CANDIDATES = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"];

/** setpriv (util-linux) drops root to an unprivileged host uid before bubblewrap starts. */
export const SETPRIV_CANDIDATES = ["/usr/bin/setpriv", "/bin/setpriv"];

/** prlimit (util-linux) sets the rlimits inside the sandbox; it is read from the sandbox's /usr. */
const PRLIMIT = "/usr/bin/prlimit";

/** The host uid and gid that sandboxed processes run as, when the harness runs as root. */
export interface HostIdentity {
  uid: number;
  gid: number;
}

/** Everything needed to turn a command into a bubblewrap invocation. */
export interface BwrapConfig {
  bwrapPath: string;
  /** Set when the harness runs as root: commands then run as `identity` on the host. */
  setprivPath: string | null;
  identity: HostIdentity | null;
  /** Host folders bound into the sandbox. */
  workspaceDir: string;
  homeDir: string;
  etcDir: string;
  /** Arguments that mount the host's system folders read-only, from `systemMounts`. */
  systemMounts: string[];
  limits: SandboxLimits;
}

/** Files written into `etcDir` and bound read-only over /etc inside the sandbox. */
export const SANDBOX_ETC_FILES: Record<string, string> = {
  passwd: [
    "root:x:0:0:root:/root:/usr/sbin/nologin",
    `agent:x:${SANDBOX_UID}:${SANDBOX_GID}:agent:${HOME_MOUNT}:/bin/bash`,
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
    "",
  ].join("\n"),
  group: ["root:x:0:", `agent:x:${SANDBOX_GID}:`, "nogroup:x:65534:", ""].join("\n"),
  hosts: ["127.0.0.1 localhost sandbox", "::1 localhost ip6-localhost", ""].join("\n"),
  "nsswitch.conf": ["passwd: files", "group: files", "hosts: files", ""].join("\n"),
};

/** Git identity for commits made inside the sandbox, written to the sandbox user's home. */
export const SANDBOX_GITCONFIG = [
  "[user]",
  "\tname = Agent",
  "\temail = agent@sandbox.invalid",
  "[init]",
  "\tdefaultBranch = main",
  "",
].join("\n");

/** Host /etc entries the sandbox needs: Debian's alternatives symlinks, the loader cache, the time zone. */
const HOST_ETC_ENTRIES = ["/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime"];

/** Top-level system folders, bound read-only or recreated as the same symlinks (merged /usr). */
const SYSTEM_DIRS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** Returns the first candidate path that exists and is executable, or null. */
export async function findExecutable(candidates: string[]): Promise<string | null> {
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  return null;
}

/** Builds the bubblewrap arguments that mount the host's system folders read-only. */
export async function systemMounts(): Promise<string[]> {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of SYSTEM_DIRS) {
    const stats = await lstat(dir).catch(() => null);
    if (stats === null) {
      continue;
    }
    if (stats.isSymbolicLink()) {
      args.push("--symlink", await readlink(dir), dir);
    } else if (stats.isDirectory()) {
      args.push("--ro-bind", dir, dir);
    }
  }
  for (const entry of HOST_ETC_ENTRIES) {
    args.push("--ro-bind-try", entry, entry);
  }
  return args;
}

/** Returns the environment of every sandboxed command, built without anything from the harness. */
export function sandboxEnvironment(): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: HOME_MOUNT,
    USER: "agent",
    LOGNAME: "agent",
    SHELL: "/bin/bash",
    LANG: "C.UTF-8",
    TERM: "dumb",
    TMPDIR: "/tmp",
  };
}

/**
 * Builds the full argv that runs `inner` in a fresh sandbox. Every namespace
 * is unshared (network, pid, ipc, uts, cgroup, mount, user), nested user
 * namespaces are disabled and no capability is kept. System folders and /dev
 * are read-only, /tmp and /dev/shm are size-limited tmpfs, and only the
 * workspace and home are writable. The environment is built from scratch,
 * and prlimit applies the rlimits before the command starts.
 */
export function buildSandboxArgv(
  config: BwrapConfig,
  inner: string[],
  options: { workspaceReadOnly?: boolean } = {},
): string[] {
  const { limits } = config;
  const argv: string[] = [];

  if (config.identity !== null && config.setprivPath !== null) {
    argv.push(
      config.setprivPath,
      `--reuid=${config.identity.uid}`,
      `--regid=${config.identity.gid}`,
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--",
    );
  }

  argv.push(
    config.bwrapPath,
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_GID),
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    // bubblewrap writes the host pid of the sandbox's init process here.
    "--info-fd",
    "3",
    ...config.systemMounts,
  );
  for (const name of Object.keys(SANDBOX_ETC_FILES)) {
    argv.push("--ro-bind", `${config.etcDir}/${name}`, `/etc/${name}`);
  }
  argv.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(limits.tmpfsBytes),
    "--tmpfs",
    "/dev/shm",
    "--remount-ro",
    "/dev",
    "--size",
    String(limits.tmpfsBytes),
    "--tmpfs",
    "/tmp",
    options.workspaceReadOnly === true ? "--ro-bind" : "--bind",
    config.workspaceDir,
    WORKSPACE_MOUNT,
    options.workspaceReadOnly === true ? "--ro-bind" : "--bind",
    config.homeDir,
    HOME_MOUNT,
    "--chdir",
    WORKSPACE_MOUNT,
    "--clearenv",
  );
  for (const [name, value] of Object.entries(sandboxEnvironment())) {
    argv.push("--setenv", name, value);
  }
  argv.push(
    "--",
    PRLIMIT,
    `--nproc=${limits.maxProcesses}`,
    `--as=${limits.maxMemoryBytes}`,
    `--fsize=${limits.maxFileBytes}`,
    `--nofile=${limits.maxOpenFiles}`,
    "--core=0",
    "--",
    ...inner,
  );
  return argv;
}

/**
 * Checks inside a new sandbox that the confinement is in place: the expected
 * uid, a writable workspace, a read-only /usr, no network device except
 * loopback, and the process limit. Throws SandboxUnavailableError otherwise.
 */
export async function selfTest(config: BwrapConfig): Promise<void> {
  const script = [
    `[ "$(id -u)" = ${SANDBOX_UID} ] || { echo "uid inside is $(id -u)"; exit 10; }`,
    `touch ${WORKSPACE_MOUNT}/.candor-probe && rm ${WORKSPACE_MOUNT}/.candor-probe || { echo "workspace is not writable"; exit 11; }`,
    `if touch /usr/.candor-probe 2>/dev/null; then echo "/usr is writable"; exit 12; fi`,
    `[ "$(grep -c : /proc/net/dev)" -le 1 ] || { echo "network devices other than loopback are visible"; exit 13; }`,
    `[ "$(ulimit -u)" = ${config.limits.maxProcesses} ] || { echo "process limit is $(ulimit -u)"; exit 14; }`,
    "echo sandbox-ok",
  ].join("\n");
  let outcome: ProcessOutcome;
  try {
    outcome = await runSandboxed(config, ["/bin/bash", "-c", script], {
      timeoutMs: 30_000,
      maxOutputBytes: 16_384,
    });
  } catch (error) {
    throw new SandboxUnavailableError(
      `bubblewrap at ${config.bwrapPath} could not be started`,
      String(error),
      { cause: error },
    );
  }
  const stdout = outcome.stdout.data.toString("utf8").trim();
  if (outcome.exitCode !== 0 || stdout !== "sandbox-ok") {
    const detail = [stdout, outcome.stderr.data.toString("utf8").trim()]
      .filter((text) => text.length > 0)
      .join("\n");
    throw new SandboxUnavailableError(
      `the sandbox self-test failed (exit code ${outcome.exitCode ?? outcome.signal}): ${detail || "no output"}`,
      detail,
    );
  }
}

/** Maximum wait for the sandbox's processes to be gone after bubblewrap exits, in milliseconds. */
const EXIT_WAIT_MS = 10_000;

/**
 * Runs `inner` in a fresh sandbox and returns only once every process of the
 * sandbox is gone. bubblewrap's outer process can exit while the sandbox's
 * init process is still killing the rest of its pid namespace. The kernel
 * marks that init a zombie only after every other process in the namespace
 * has been reaped, so once it is a zombie nothing sandboxed can still write
 * to the workspace.
 */
export async function runSandboxed(
  config: BwrapConfig,
  inner: string[],
  options: Omit<RunProcessOptions, "captureFd3">,
  mount: { workspaceReadOnly?: boolean } = {},
): Promise<ProcessOutcome> {
  const outcome = await runProcess(buildSandboxArgv(config, inner, mount), {
    ...options,
    captureFd3: true,
  });
  await waitForSandboxExit(outcome.fd3);
  return outcome;
}

async function waitForSandboxExit(info: Buffer | undefined): Promise<void> {
  let childPid: number | undefined;
  let pidNamespace: number | undefined;
  try {
    const parsed = JSON.parse(info?.toString("utf8") ?? "") as Record<string, unknown>;
    childPid = typeof parsed["child-pid"] === "number" ? parsed["child-pid"] : undefined;
    pidNamespace =
      typeof parsed["pid-namespace"] === "number" ? parsed["pid-namespace"] : undefined;
  } catch {
    // bubblewrap failed before starting the sandbox, so there is nothing to wait for.
    return;
  }
  if (childPid === undefined || pidNamespace === undefined) {
    return;
  }

  const deadline = performance.now() + EXIT_WAIT_MS;
  while (performance.now() < deadline) {
    const stat = await readFile(`/proc/${childPid}/stat`, "utf8").catch(() => null);
    const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (stat === null || state === "Z" || state === "X") {
      return;
    }
    // A different namespace means the pid was reaped and reused by an unrelated process.
    const namespace = await readlink(`/proc/${childPid}/ns/pid`).catch(() => null);
    if (namespace !== `pid:[${pidNamespace}]`) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new SandboxError(
    "sandbox_stuck",
    `the sandbox's processes (init pid ${childPid}) were still running ${EXIT_WAIT_MS} ms after they were killed`,
    { hint: "A process is stuck in the kernel; check `ps -o pid,stat,wchan` for that pid." },
  );
}

/** Returns bubblewrap's version line, for the record. */
export async function bwrapVersion(bwrapPath: string): Promise<string> {
  const outcome = await runProcess([bwrapPath, "--version"], {
    timeoutMs: 10_000,
    maxOutputBytes: 1024,
  });
  return outcome.stdout.data.toString("utf8").trim();
}
