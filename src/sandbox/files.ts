import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";

/** One non-folder entry of the workspace. */
export interface FileEntry {
  type: "file" | "symlink" | "other";
  /** Length in bytes (of the link text for a symlink). */
  size: number;
  /** Permission bits, for example 0o644. */
  mode: number;
  /** SHA-256 of the content, or null when the file could not be read. */
  sha256: string | null;
  /** Target of a symlink, as written; never followed. */
  target?: string;
}

/**
 * Lists every file, symlink and special file under `root` by relative path,
 * skipping the folders in `exclude` (relative paths). Symlinks are recorded,
 * never followed, and files are opened with O_NOFOLLOW and O_NONBLOCK so a
 * FIFO left by the sandbox cannot block the harness. Call it only while no
 * sandboxed process runs, so nothing changes between lstat and read.
 */
export async function listFiles(
  root: string,
  exclude: string[] = [],
): Promise<Record<string, FileEntry>> {
  const entries: Record<string, FileEntry> = {};
  const pending: string[] = [""];

  while (pending.length > 0) {
    const relativeDir = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(join(root, relativeDir));
    } catch {
      continue;
    }
    names.sort();
    for (const name of names) {
      const relative = relativeDir === "" ? name : `${relativeDir}/${name}`;
      if (exclude.includes(relative)) {
        continue;
      }
      const path = join(root, relative);
      const stats = await lstat(path).catch(() => null);
      if (stats === null) {
        continue;
      }
      if (stats.isDirectory()) {
        pending.push(relative);
        continue;
      }
      entries[relative] = await describe(path, stats);
    }
  }
  return sortKeys(entries);
}

async function describe(path: string, stats: Stats): Promise<FileEntry> {
  const mode = stats.mode & 0o7777;
  if (stats.isSymbolicLink()) {
    const target = await readlink(path).catch(() => "");
    return {
      type: "symlink",
      size: Buffer.byteLength(target),
      mode,
      sha256: createHash("sha256").update(target).digest("hex"),
      target,
    };
  }
  if (!stats.isFile()) {
    return { type: "other", size: stats.size, mode, sha256: null };
  }
  return { type: "file", size: stats.size, mode, sha256: await hashFile(path) };
}

/** SHA-256 of a regular file's content, or of its first `length` bytes; null when unreadable. */
export async function hashFile(path: string, length?: number): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(1024 * 1024);
    let remaining = length ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, remaining));
      if (bytesRead === 0) {
        break;
      }
      hash.update(buffer.subarray(0, bytesRead));
      remaining -= bytesRead;
    }
    return hash.digest("hex");
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** Git's blob id (SHA-1 of "blob <length>\0" and the content) of a regular file; null when unreadable. */
export async function gitBlobId(path: string): Promise<string | null> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const content = await handle.readFile();
    return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record).sort();
  return Object.fromEntries(keys.map((key) => [key, record[key] as T]));
}
