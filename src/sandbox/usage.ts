import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface DiskUsage {
  /** Bytes used, counting each file at the larger of its length and its allocated blocks. */
  bytes: number;
  /** Entries of any type, folders included. */
  entries: number;
  /** True when the walk stopped early because a limit was passed. */
  exceeded: boolean;
}

/**
 * Measures the folders without following symlinks, stopping as soon as either
 * limit is passed so a workspace full of small files cannot make the check
 * itself slow. Sparse files count at their full length, because hashing them
 * for the state diff reads every byte.
 */
export async function measureUsage(
  roots: string[],
  limits: { maxBytes: number; maxEntries: number },
): Promise<DiskUsage> {
  const usage: DiskUsage = { bytes: 0, entries: 0, exceeded: false };
  const pending = [...roots];

  while (pending.length > 0) {
    const dir = pending.pop() as string;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      // A folder the sandbox made unreadable or removed while the walk ran.
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stats = await lstat(path).catch(() => null);
      if (stats === null) {
        continue;
      }
      usage.entries += 1;
      usage.bytes += Math.max(stats.size, stats.blocks * 512);
      if (stats.isDirectory()) {
        pending.push(path);
      }
      if (usage.bytes > limits.maxBytes || usage.entries > limits.maxEntries) {
        usage.exceeded = true;
        return usage;
      }
    }
  }
  return usage;
}
