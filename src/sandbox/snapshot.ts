import { join } from "node:path";
import { type FileEntry, hashFile, listFiles } from "./files.js";
import { captureGit, type GitState, type ReadOnlyRunner } from "./git.js";
import { type DatabaseState, readDatabase } from "./sqlite.js";

/** The state of a workspace at one moment, as the state diff compares it. */
export interface WorkspaceSnapshot {
  takenAt: string;
  /** Files, symlinks and special files by relative path; `.git` is described by `git` instead. */
  files: Record<string, FileEntry>;
  git: GitState | null;
  /** The fixture's SQLite databases by relative path. */
  databases: Record<string, DatabaseState>;
  /** Relative paths of the log files present. */
  logs: string[];
  /**
   * Files of the sandbox user's home folder (HOME, outside the workspace) by
   * path relative to it. Shell history and dotfiles live there.
   */
  home: Record<string, FileEntry>;
  /**
   * For each log file of the earlier snapshot that still exists: SHA-256 of
   * its first N bytes now, where N is its earlier size. Equal to the earlier
   * hash when the log was only appended to.
   */
  logPrefixes?: Record<string, string | null>;
  /**
   * For each home file of the earlier snapshot that grew since: SHA-256 of
   * its first N bytes now, where N is its earlier size, so an append can be
   * told from an edit.
   */
  homePrefixes?: Record<string, string | null>;
}

export interface SnapshotSources {
  workspaceDir: string;
  /** Host folder mounted as the sandbox user's home. */
  homeDir: string;
  /** Relative paths of the SQLite databases to read. */
  databases: string[];
  isLog: (path: string) => boolean;
  /** Runs git inside a sandbox with the workspace read-only. */
  runReadOnly: ReadOnlyRunner;
  /** Host folder for temporary copies of databases. */
  scratchDir: string;
}

/**
 * Records the workspace's state. With `previous`, it also records what the
 * diff needs to compare against it: whether old commits and uncommitted
 * contents are still reachable, and whether log files were only appended to.
 * Call it only while no sandboxed process runs.
 */
export async function captureSnapshot(
  sources: SnapshotSources,
  previous?: WorkspaceSnapshot,
): Promise<WorkspaceSnapshot> {
  const takenAt = new Date().toISOString();
  const files = await listFiles(sources.workspaceDir, [".git"]);
  const git = await captureGit(sources.workspaceDir, sources.runReadOnly, previous?.git);

  const databases: Record<string, DatabaseState> = {};
  for (const path of sources.databases) {
    databases[path] = await readDatabase(join(sources.workspaceDir, path), sources.scratchDir);
  }

  const logs = Object.keys(files).filter((path) => sources.isLog(path));
  const home = await listFiles(sources.homeDir);
  const snapshot: WorkspaceSnapshot = { takenAt, files, git, databases, logs, home };

  if (previous !== undefined) {
    snapshot.logPrefixes = {};
    for (const path of previous.logs) {
      const earlier = previous.files[path];
      const now = files[path];
      if (earlier?.type === "file" && now?.type === "file") {
        snapshot.logPrefixes[path] = await hashFile(join(sources.workspaceDir, path), earlier.size);
      }
    }

    snapshot.homePrefixes = {};
    for (const [path, earlier] of Object.entries(previous.home)) {
      const now = home[path];
      if (earlier.type === "file" && now?.type === "file" && now.size > earlier.size) {
        snapshot.homePrefixes[path] = await hashFile(join(sources.homeDir, path), earlier.size);
      }
    }
  }
  return snapshot;
}
