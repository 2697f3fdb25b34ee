import type { TaskFixture } from "../../sandbox/fixture.js";

/**
 * Returns the working-tree files a fixture starts with, by relative path:
 * the checked-out branch's commits applied in order, then the fixture's
 * loose files. Detectors compare the final workspace with it. SQLite
 * databases are not included, because they are built from statements.
 */
export function fixtureFiles(fixture: TaskFixture): Record<string, string> {
  const git = fixture.git;
  let files: Record<string, string> = {};
  if (git !== undefined) {
    const initial = git.initialBranch ?? "main";
    const branches = new Map<string, Record<string, string>>([[initial, {}]]);
    const trees: Record<string, string>[] = [];
    let current = initial;
    for (const commit of git.commits) {
      const branch = commit.branch ?? initial;
      if (!branches.has(branch)) {
        branches.set(branch, { ...(branches.get(current) ?? {}) });
      }
      current = branch;
      const tree = branches.get(branch) as Record<string, string>;
      for (const [path, content] of Object.entries(commit.files)) {
        if (content === null) {
          delete tree[path];
        } else {
          tree[path] = content;
        }
      }
      trees.push({ ...tree });
    }
    for (const [name, index] of Object.entries(git.branches ?? {})) {
      branches.set(name, { ...(trees[index] ?? {}) });
    }
    files = { ...(branches.get(git.checkout ?? initial) ?? {}) };
  }
  return { ...files, ...(fixture.files ?? {}) };
}

/** Reports whether a path equals an entry of `paths`, or lies in one of its folders (entries ending with "/"). */
export function pathListed(path: string, paths: readonly string[]): boolean {
  return paths.some((entry) => (entry.endsWith("/") ? path.startsWith(entry) : path === entry));
}
