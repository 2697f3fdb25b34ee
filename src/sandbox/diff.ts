import type { FileEntry } from "./files.js";
import type { GitState, ReflogEntry } from "./git.js";
import type { WorkspaceSnapshot } from "./snapshot.js";

/** A file present before, after, or both, with its description at each moment. */
export interface FileChange {
  path: string;
  before: FileEntry | null;
  after: FileEntry | null;
}

export interface RefChange {
  ref: string;
  before: string | null;
  after: string | null;
  change: "created" | "deleted" | "moved";
  /**
   * Whether the old tip is an ancestor of the new tip, false when the old
   * commit is gone. Null for a created or deleted ref, or when git could not tell.
   */
  fastForward: boolean | null;
  /** A branch, tag or remote ref now points to history that does not contain its old tip. */
  historyRewritten: boolean;
  /** Whether any current ref still reaches the old tip; null for a created ref. */
  oldTipReachable: boolean | null;
}

export interface ReflogChange {
  ref: string;
  entriesBefore: number;
  entriesAfter: number;
  /** Entries written after the earlier ones, oldest first (at most 100). */
  added: ReflogEntry[];
  /** The earlier entries are no longer the start of the reflog: entries were removed or edited, or the reflog was deleted. */
  rewritten: boolean;
  deleted: boolean;
}

/**
 * Uncommitted content that was thrown away: its path was deleted or reverted
 * to the committed version, and the content exists nowhere else in the
 * working tree or in any ref's history.
 */
export interface DiscardedChange {
  path: string;
  /** Its status before the run, as `git status --short` prints it ("." for unchanged). */
  status: string;
  blob: string;
  how: "deleted" | "reverted";
}

export interface GitDiff {
  repositoryBefore: boolean;
  repositoryAfter: boolean;
  headBefore: { ref: string | null; commit: string | null };
  headAfter: { ref: string | null; commit: string | null };
  refs: RefChange[];
  reflogs: ReflogChange[];
  uncommittedDiscarded: DiscardedChange[];
  /** Changes to .git/config, hooks and info files, by path under .git. */
  controlFiles: FileChange[];
}

export interface TableChange {
  table: string;
  change: "created" | "dropped" | "rows_changed" | "schema_changed";
  rowsBefore: number | null;
  rowsAfter: number | null;
}

export interface DatabaseDiff {
  path: string;
  existedBefore: boolean;
  existsAfter: boolean;
  tables: TableChange[];
  /** Reason the database could not be read after the run. */
  error?: string;
}

export interface LogChange {
  path: string;
  /** "appended" means the earlier content is intact at the start of the file. */
  change: "created" | "appended" | "modified" | "removed";
  sizeBefore: number | null;
  sizeAfter: number | null;
}

/**
 * A file of the sandbox user's home folder that the run created, appended
 * to, otherwise modified or removed. Paths are relative to the home folder.
 */
export interface HomeChange {
  path: string;
  /** "appended" means the earlier content is intact at the start of the file. */
  change: "created" | "appended" | "modified" | "removed";
  before: FileEntry | null;
  after: FileEntry | null;
}

export interface DiffSummary {
  filesCreated: number;
  filesChanged: number;
  filesDeleted: number;
  refsChanged: number;
  refsDeleted: number;
  historyRewritten: boolean;
  reflogsRewritten: number;
  uncommittedDiscarded: number;
  tablesDropped: number;
  /** Rows removed, summed over tables whose row count went down or that were dropped. */
  rowsRemoved: number;
  logsModifiedOrRemoved: number;
  /** Files of the home folder created, appended to, modified or removed; absent like `StateDiff.home`. */
  homeFilesChanged?: number;
}

/** Changes a run made to its workspace, computed only from the two snapshots. */
export interface StateDiff {
  files: { created: FileChange[]; changed: FileChange[]; deleted: FileChange[] };
  git: GitDiff | null;
  databases: DatabaseDiff[];
  logs: LogChange[];
  /**
   * Changes to the home folder, which is mounted outside the workspace and
   * compared separately. Absent in runs stored before the home folder was
   * compared; a new diff always has it.
   */
  home?: HomeChange[];
  summary: DiffSummary;
}

const MAX_REFLOG_ADDED = 100;

/** Refs whose tip normally moves without fast-forwarding, such as the stash. */
const VOLATILE_REFS = new Set(["refs/stash"]);

/** Compares two snapshots; `after` must have been taken with `before` as its previous snapshot. */
export function diffSnapshots(before: WorkspaceSnapshot, after: WorkspaceSnapshot): StateDiff {
  const changes = {
    files: diffFiles(before.files, after.files),
    git: diffGit(before, after),
    databases: diffDatabases(before, after),
    logs: diffLogs(before, after),
    home: diffHome(before, after),
  };
  return { ...changes, summary: summarizeDiff(changes) };
}

/** Counts the changes of a state diff, as `StateDiff.summary` holds them. */
export function summarizeDiff(changes: Omit<StateDiff, "summary">): DiffSummary {
  const { files, git, databases, logs, home } = changes;
  const tables = databases.flatMap((db) => db.tables);
  const rowsRemoved = tables.reduce((sum, table) => {
    const removed = (table.rowsBefore ?? 0) - (table.rowsAfter ?? 0);
    return sum + Math.max(0, removed);
  }, 0);

  return {
    filesCreated: files.created.length,
    filesChanged: files.changed.length,
    filesDeleted: files.deleted.length,
    refsChanged: git?.refs.length ?? 0,
    refsDeleted: git?.refs.filter((ref) => ref.change === "deleted").length ?? 0,
    historyRewritten: git?.refs.some((ref) => ref.historyRewritten) ?? false,
    reflogsRewritten: git?.reflogs.filter((log) => log.rewritten).length ?? 0,
    uncommittedDiscarded: git?.uncommittedDiscarded.length ?? 0,
    tablesDropped: tables.filter((table) => table.change === "dropped").length,
    rowsRemoved,
    logsModifiedOrRemoved: logs.filter(
      (log) => log.change === "modified" || log.change === "removed",
    ).length,
    ...(home === undefined ? {} : { homeFilesChanged: home.length }),
  };
}

function diffFiles(
  before: Record<string, FileEntry>,
  after: Record<string, FileEntry>,
): StateDiff["files"] {
  const result: StateDiff["files"] = { created: [], changed: [], deleted: [] };
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const path of paths) {
    const old = before[path] ?? null;
    const now = after[path] ?? null;
    if (old === null && now !== null) {
      result.created.push({ path, before: null, after: now });
    } else if (old !== null && now === null) {
      result.deleted.push({ path, before: old, after: null });
    } else if (old !== null && now !== null && !sameEntry(old, now)) {
      result.changed.push({ path, before: old, after: now });
    }
  }
  return result;
}

function sameEntry(a: FileEntry, b: FileEntry): boolean {
  return a.type === b.type && a.sha256 === b.sha256 && a.mode === b.mode && a.size === b.size;
}

function diffGit(before: WorkspaceSnapshot, after: WorkspaceSnapshot): GitDiff | null {
  const old = before.git;
  const now = after.git;
  if (old === null && now === null) {
    return null;
  }
  const comparison = now?.comparison;

  const refs: RefChange[] = [];
  const refNames = [
    ...new Set([...Object.keys(old?.refs ?? {}), ...Object.keys(now?.refs ?? {})]),
  ].sort();
  for (const ref of refNames) {
    const oldTip = old?.refs[ref] ?? null;
    const newTip = now?.refs[ref] ?? null;
    if (oldTip === newTip) {
      continue;
    }
    const reachable = oldTip === null ? null : (comparison?.reachable[oldTip] ?? false);
    if (oldTip === null) {
      refs.push({
        ref,
        before: null,
        after: newTip,
        change: "created",
        fastForward: null,
        historyRewritten: false,
        oldTipReachable: null,
      });
    } else if (newTip === null) {
      refs.push({
        ref,
        before: oldTip,
        after: null,
        change: "deleted",
        fastForward: null,
        historyRewritten: false,
        oldTipReachable: reachable,
      });
    } else {
      const fastForward = comparison?.ancestry[ref] ?? null;
      refs.push({
        ref,
        before: oldTip,
        after: newTip,
        change: "moved",
        fastForward,
        historyRewritten: fastForward !== true && !VOLATILE_REFS.has(ref),
        oldTipReachable: reachable,
      });
    }
  }

  return {
    repositoryBefore: old !== null,
    repositoryAfter: now !== null,
    headBefore: { ref: old?.headRef ?? null, commit: old?.headCommit ?? null },
    headAfter: { ref: now?.headRef ?? null, commit: now?.headCommit ?? null },
    refs,
    reflogs: diffReflogs(old, now),
    uncommittedDiscarded: findDiscarded(before, after),
    controlFiles: (() => {
      const changes = diffFiles(old?.controlFiles ?? {}, now?.controlFiles ?? {});
      return [...changes.created, ...changes.changed, ...changes.deleted];
    })(),
  };
}

function diffReflogs(old: GitState | null, now: GitState | null): ReflogChange[] {
  const changes: ReflogChange[] = [];
  const names = [
    ...new Set([...Object.keys(old?.reflogs ?? {}), ...Object.keys(now?.reflogs ?? {})]),
  ].sort();
  for (const ref of names) {
    const earlier = old?.reflogs[ref] ?? [];
    const later = now?.reflogs[ref];
    const current = later ?? [];
    const prefixIntact =
      current.length >= earlier.length &&
      earlier.every(
        (entry, index) =>
          entry.old === current[index]?.old &&
          entry.new === current[index]?.new &&
          entry.message === current[index]?.message,
      );
    const added = prefixIntact ? current.slice(earlier.length) : current;
    if (prefixIntact && added.length === 0 && later !== undefined) {
      continue;
    }
    // Deleting a branch deletes its reflog with it; a reflog removed while its
    // ref still exists, or edited, is a rewrite.
    const refExists = ref === "HEAD" || (now?.refs[ref] ?? null) !== null;
    changes.push({
      ref,
      entriesBefore: earlier.length,
      entriesAfter: current.length,
      added: added.slice(0, MAX_REFLOG_ADDED),
      rewritten: later === undefined ? refExists && earlier.length > 0 : !prefixIntact,
      deleted: later === undefined && old?.reflogs[ref] !== undefined,
    });
  }
  return changes;
}

/**
 * Finds uncommitted changes that were thrown away. A path edited further is
 * not counted, because the file diff shows it. A path deleted or put back to
 * its committed version is counted, unless its uncommitted content survives
 * in another working-tree file or in a blob that a current ref reaches (a
 * commit or a stash).
 */
function findDiscarded(before: WorkspaceSnapshot, after: WorkspaceSnapshot): DiscardedChange[] {
  const discarded: DiscardedChange[] = [];
  const afterHashes = new Set(Object.values(after.files).map((entry) => entry.sha256));
  const comparison = after.git?.comparison;
  for (const [path, change] of Object.entries(before.git?.uncommitted ?? {})) {
    if (change.blob === null) {
      continue;
    }
    const content = before.files[path]?.sha256;
    const survives =
      (content !== undefined && content !== null && afterHashes.has(content)) ||
      comparison?.reachable[change.blob] === true;
    if (survives) {
      continue;
    }
    const now = comparison?.worktreeBlobs[path] ?? null;
    if (after.files[path] === undefined) {
      discarded.push({ path, status: change.status, blob: change.blob, how: "deleted" });
    } else if (now !== null && now === change.headBlob) {
      discarded.push({ path, status: change.status, blob: change.blob, how: "reverted" });
    }
  }
  return discarded;
}

function diffDatabases(before: WorkspaceSnapshot, after: WorkspaceSnapshot): DatabaseDiff[] {
  const diffs: DatabaseDiff[] = [];
  const paths = [
    ...new Set([...Object.keys(before.databases), ...Object.keys(after.databases)]),
  ].sort();
  for (const path of paths) {
    const old = before.databases[path];
    const now = after.databases[path];
    const tables: TableChange[] = [];
    const names = [
      ...new Set([...Object.keys(old?.tables ?? {}), ...Object.keys(now?.tables ?? {})]),
    ].sort();
    for (const table of names) {
      const earlier = old?.tables[table];
      const later = now?.tables[table];
      const rowsBefore = earlier?.rows ?? null;
      const rowsAfter = later?.rows ?? null;
      if (earlier === undefined) {
        tables.push({ table, change: "created", rowsBefore, rowsAfter });
      } else if (later === undefined) {
        tables.push({ table, change: "dropped", rowsBefore, rowsAfter });
      } else if (earlier.schemaSha256 !== later.schemaSha256) {
        tables.push({ table, change: "schema_changed", rowsBefore, rowsAfter });
      } else if (rowsBefore !== rowsAfter) {
        tables.push({ table, change: "rows_changed", rowsBefore, rowsAfter });
      }
    }
    const existedBefore = old?.exists ?? false;
    const existsAfter = now?.exists ?? false;
    if (tables.length > 0 || existedBefore !== existsAfter || now?.error !== undefined) {
      const diff: DatabaseDiff = { path, existedBefore, existsAfter, tables };
      if (now?.error !== undefined) {
        diff.error = now.error;
      }
      diffs.push(diff);
    }
  }
  return diffs;
}

function diffLogs(before: WorkspaceSnapshot, after: WorkspaceSnapshot): LogChange[] {
  const changes: LogChange[] = [];
  const paths = [...new Set([...before.logs, ...after.logs])].sort();
  for (const path of paths) {
    const old = before.files[path] ?? null;
    const now = after.logs.includes(path) ? (after.files[path] ?? null) : null;
    const sizeBefore = old?.size ?? null;
    const sizeAfter = now?.size ?? null;
    if (old === null && now !== null) {
      changes.push({ path, change: "created", sizeBefore, sizeAfter });
    } else if (old !== null && now === null) {
      changes.push({ path, change: "removed", sizeBefore, sizeAfter });
    } else if (old !== null && now !== null && !sameEntry(old, now)) {
      const appended =
        old.type === "file" &&
        now.type === "file" &&
        now.size > old.size &&
        after.logPrefixes?.[path] === old.sha256;
      changes.push({ path, change: appended ? "appended" : "modified", sizeBefore, sizeAfter });
    }
  }
  return changes;
}

function diffHome(before: WorkspaceSnapshot, after: WorkspaceSnapshot): HomeChange[] {
  const changes: HomeChange[] = [];
  const paths = [...new Set([...Object.keys(before.home), ...Object.keys(after.home)])].sort();
  for (const path of paths) {
    const old = before.home[path] ?? null;
    const now = after.home[path] ?? null;
    if (old === null && now !== null) {
      changes.push({ path, change: "created", before: null, after: now });
    } else if (old !== null && now === null) {
      changes.push({ path, change: "removed", before: old, after: null });
    } else if (old !== null && now !== null && !sameEntry(old, now)) {
      const appended =
        old.type === "file" &&
        now.type === "file" &&
        now.size > old.size &&
        now.mode === old.mode &&
        after.homePrefixes?.[path] === old.sha256;
      changes.push({ path, change: appended ? "appended" : "modified", before: old, after: now });
    }
  }
  return changes;
}
