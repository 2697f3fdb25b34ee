import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type FileEntry, gitBlobId, listFiles } from "./files.js";
import type { ProcessOutcome } from "./process.js";

/** Runs a program inside a sandbox whose workspace is mounted read-only. */
export type ReadOnlyRunner = (inner: string[]) => Promise<ProcessOutcome>;

export interface ReflogEntry {
  old: string;
  new: string;
  /** The reflog message, for example "commit: add parser" or "reset: moving to HEAD~1". */
  message: string;
}

/** A path with an uncommitted change in the working tree. */
export interface UncommittedChange {
  /** Two-letter status as `git status --short` prints it, for example ".M" or "??" ("." is unchanged). */
  status: string;
  /** Git blob id of the working-tree content, or null when the file is gone from the working tree. */
  blob: string | null;
  /** Blob id of the path in HEAD, or null when HEAD does not track it. */
  headBlob: string | null;
}

/** State of the workspace's git repository. */
export interface GitState {
  /** The branch HEAD points to, or null when HEAD is detached. */
  headRef: string | null;
  headCommit: string | null;
  /** Every ref (branches, tags, remotes, stash) and the object it points to. */
  refs: Record<string, string>;
  /** Reflogs by ref name ("HEAD", "refs/heads/main"), oldest entry first. */
  reflogs: Record<string, ReflogEntry[]>;
  uncommitted: Record<string, UncommittedChange>;
  /** Files of .git that change what git does: config, hooks/ and info/, by path under .git. */
  controlFiles: Record<string, FileEntry>;
  /** Facts about an earlier snapshot's objects, present when this snapshot was taken against one. */
  comparison?: GitComparison;
}

export interface GitComparison {
  /** For each ref of the earlier snapshot that still exists: is its old tip an ancestor of its current tip? false when the old commit is gone, null when git could not tell. */
  ancestry: Record<string, boolean | null>;
  /** For each earlier tip commit and uncommitted blob: does a current ref (HEAD included) still reach it? */
  reachable: Record<string, boolean>;
  /** Current blob id of each path that had an uncommitted change earlier; null when it is not a regular file now. */
  worktreeBlobs: Record<string, string | null>;
}

/**
 * Git is run inside a read-only sandbox, never on the host: a repository the
 * agent controlled can name programs in its config (fsmonitor, filters,
 * hooks), and those must not run outside the sandbox. Replacement refs,
 * grafts and the commit-graph file are ignored so that they cannot fake
 * ancestry. A shallow file is not neutralised: it hides parents, which can
 * make a history look rewritten, never the reverse.
 */
const PROBE_SCRIPT = `
set -u
export GIT_DIR=/workspace/.git GIT_WORK_TREE=/workspace GIT_NO_REPLACE_OBJECTS=1 GIT_GRAFT_FILE=/dev/null
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_OPTIONAL_LOCKS=0 GIT_TERMINAL_PROMPT=0
g() { git -c core.fsmonitor=false -c core.commitGraph=false -c safe.directory='*' "$@"; }
echo "HEADREF $(g symbolic-ref -q HEAD)"
echo "HEADCOMMIT $(g rev-parse -q --verify 'HEAD^{commit}' 2>/dev/null)"
g for-each-ref --format='REF %(objectname) %(refname)'
pairs=$1; shift
while [ "$pairs" -gt 0 ]; do
  ref=$1 old=$2 new=$3; shift 3; pairs=$((pairs - 1))
  if ! g cat-file -e "$old^{commit}" 2>/dev/null; then echo "ANC $ref missing"; continue; fi
  g merge-base --is-ancestor "$old" "$new" 2>/dev/null; echo "ANC $ref $?"
done
if [ "$#" -gt 0 ]; then
  g rev-list --objects --all 2>/dev/null | cut -d' ' -f1 > /tmp/reachable
  for id in "$@"; do
    if grep -qx -- "$id" /tmp/reachable; then echo "REACH $id 1"; else echo "REACH $id 0"; fi
  done
fi
echo "STATUS"
g status --porcelain=v2 -z --untracked-files=all --no-renames 2>/dev/null
`;

/** Reads the repository's state; returns null when the workspace has no .git folder. */
export async function captureGit(
  workspaceDir: string,
  run: ReadOnlyRunner,
  previous?: GitState | null,
): Promise<GitState | null> {
  const gitDir = join(workspaceDir, ".git");
  const stats = await lstat(gitDir).catch(() => null);
  if (stats === null || !stats.isDirectory()) {
    return null;
  }

  const pairs: string[] = [];
  const objects = new Set<string>();
  let pairCount = 0;
  if (previous !== undefined && previous !== null) {
    for (const [ref, oldTip] of Object.entries(previous.refs)) {
      objects.add(oldTip);
      pairs.push(ref, oldTip, ref);
      pairCount += 1;
    }
    if (previous.headCommit !== null) {
      objects.add(previous.headCommit);
    }
    for (const change of Object.values(previous.uncommitted)) {
      if (change.blob !== null) {
        objects.add(change.blob);
      }
    }
  }

  const outcome = await run([
    "/bin/bash",
    "-c",
    PROBE_SCRIPT,
    "probe",
    String(pairCount),
    ...pairs,
    ...objects,
  ]);
  const parsed = parseProbe(outcome.stdout.data);

  const uncommitted: Record<string, UncommittedChange> = {};
  for (const { status, path, headBlob } of parsed.status) {
    uncommitted[path] = { status, blob: await worktreeBlob(workspaceDir, path), headBlob };
  }

  const state: GitState = {
    headRef: parsed.headRef,
    headCommit: parsed.headCommit,
    refs: parsed.refs,
    reflogs: await readReflogs(gitDir),
    uncommitted,
    controlFiles: await readControlFiles(gitDir),
  };
  if (previous !== undefined && previous !== null) {
    const worktreeBlobs: Record<string, string | null> = {};
    for (const path of Object.keys(previous.uncommitted)) {
      worktreeBlobs[path] = await worktreeBlob(workspaceDir, path);
    }
    state.comparison = {
      ancestry: Object.fromEntries(
        Object.keys(previous.refs)
          .filter((ref) => ref in parsed.refs)
          .map((ref) => [ref, parsed.ancestry[ref] ?? null]),
      ),
      reachable: parsed.reachable,
      worktreeBlobs,
    };
  }
  return state;
}

interface ProbeOutput {
  headRef: string | null;
  headCommit: string | null;
  refs: Record<string, string>;
  ancestry: Record<string, boolean | null>;
  reachable: Record<string, boolean>;
  status: { status: string; path: string; headBlob: string | null }[];
}

function parseProbe(data: Buffer): ProbeOutput {
  const text = data.toString("utf8");
  const statusStart = text.indexOf("STATUS\n");
  const head = statusStart === -1 ? text : text.slice(0, statusStart);
  const statusText = statusStart === -1 ? "" : text.slice(statusStart + "STATUS\n".length);
  const output: ProbeOutput = {
    headRef: null,
    headCommit: null,
    refs: {},
    ancestry: {},
    reachable: {},
    status: [],
  };

  for (const line of head.split("\n")) {
    const [tag, first = "", second = ""] = line.split(" ");
    if (tag === "HEADREF") {
      output.headRef = first === "" ? null : first;
    } else if (tag === "HEADCOMMIT") {
      output.headCommit = first === "" ? null : first;
    } else if (tag === "REF") {
      output.refs[second] = first;
    } else if (tag === "ANC") {
      // merge-base exits 0 for an ancestor and 1 for not an ancestor. A commit
      // missing from the object store cannot be an ancestor of a tip whose
      // history is present, so it counts as not an ancestor.
      if (second === "0") {
        output.ancestry[first] = true;
      } else if (second === "1" || second === "missing") {
        output.ancestry[first] = false;
      } else {
        output.ancestry[first] = null;
      }
    } else if (tag === "REACH") {
      output.reachable[first] = second === "1";
    }
  }

  // Porcelain v2: "1 XY sub mH mI mW hH hI path" for a changed tracked file,
  // "u XY sub m1 m2 m3 mW h1 h2 h3 path" for an unmerged one, "? path" for an
  // untracked one. Paths come last and may contain spaces.
  for (const entry of statusText.split("\0")) {
    const fields = entry.split(" ");
    if (fields[0] === "1" && fields.length >= 9) {
      const headBlob = fields[6] as string;
      output.status.push({
        status: fields[1] as string,
        path: fields.slice(8).join(" "),
        headBlob: /^0+$/.test(headBlob) ? null : headBlob,
      });
    } else if (fields[0] === "u" && fields.length >= 11) {
      output.status.push({
        status: fields[1] as string,
        path: fields.slice(10).join(" "),
        headBlob: null,
      });
    } else if (fields[0] === "?" && entry.length > 2) {
      output.status.push({ status: "??", path: entry.slice(2), headBlob: null });
    }
  }
  return output;
}

async function worktreeBlob(workspaceDir: string, path: string): Promise<string | null> {
  const stats = await lstat(join(workspaceDir, path)).catch(() => null);
  return stats?.isFile() === true ? gitBlobId(join(workspaceDir, path)) : null;
}

const REFLOG_LINE = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) .*? \d+ [+-]\d{4}\t?(.*)$/;

async function readReflogs(gitDir: string): Promise<Record<string, ReflogEntry[]>> {
  const logsDir = join(gitDir, "logs");
  const files = await listFiles(logsDir);
  const reflogs: Record<string, ReflogEntry[]> = {};
  for (const [name, entry] of Object.entries(files)) {
    if (entry.type !== "file") {
      continue;
    }
    const text = await readFile(join(logsDir, name), "utf8").catch(() => "");
    reflogs[name] = text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => {
        const match = REFLOG_LINE.exec(line);
        return match === null
          ? { old: "", new: "", message: line }
          : { old: match[1] as string, new: match[2] as string, message: match[3] as string };
      });
  }
  return reflogs;
}

async function readControlFiles(gitDir: string): Promise<Record<string, FileEntry>> {
  const entries: Record<string, FileEntry> = {};
  const files = await listFiles(gitDir, ["objects", "logs", "refs"]);
  for (const [path, entry] of Object.entries(files)) {
    const isControl = path === "config" || path.startsWith("hooks/") || path.startsWith("info/");
    if (isControl && !path.endsWith(".sample")) {
      entries[path] = entry;
    }
  }
  return entries;
}
