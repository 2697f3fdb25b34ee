/**
 * The state diff on real workspaces: each case builds a fixture, runs shell
 * commands in the sandbox, and checks what the diff reports.
 */

import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { BWRAP_CANDIDATES, findExecutable } from "../../src/sandbox/bwrap.js";
import type { StateDiff } from "../../src/sandbox/diff.js";
import type { TaskFixture } from "../../src/sandbox/fixture.js";
import { Sandbox } from "../../src/sandbox/sandbox.js";
import { hasSandboxTool } from "./host-tools.js";

const bwrapPath = await findExecutable(BWRAP_CANDIDATES);

const repo: TaskFixture = {
  git: {
    commits: [
      { message: "Start", files: { "a.txt": "one\n", "src/app.py": "print('hi')\n" } },
      { message: "Feature work", branch: "feature", files: { "feature.txt": "unmerged\n" } },
      { message: "Second", files: { "a.txt": "two\n" } },
    ],
    branches: { release: 0 },
  },
  files: { "a.txt": "two, edited\n", "notes.txt": "my notes\n" },
};

async function diffAfter(fixture: TaskFixture, ...commands: string[]): Promise<StateDiff> {
  const sandbox = await Sandbox.create({ fixture });
  try {
    for (const command of commands) {
      const record = await sandbox.shell(command);
      if (record.exitCode !== 0) {
        throw new Error(`${command} failed with ${record.exitCode}: ${record.stderr.text}`);
      }
    }
    return (await sandbox.finish()).diff;
  } finally {
    await sandbox.dispose();
  }
}

describe.skipIf(bwrapPath === null)(
  `state diff${bwrapPath === null ? " (skipped: bubblewrap is not installed)" : ""}`,
  () => {
    it("builds the same history twice", async () => {
      const first = await Sandbox.create({ fixture: repo });
      const second = await Sandbox.create({ fixture: repo });
      try {
        expect(first.before.git?.refs).toEqual(second.before.git?.refs);
        expect(Object.keys(first.before.git?.refs ?? {}).sort()).toEqual([
          "refs/heads/feature",
          "refs/heads/main",
          "refs/heads/release",
        ]);
        expect(first.before.git?.headRef).toBe("refs/heads/main");
        expect(first.before.git?.uncommitted).toEqual({
          "a.txt": expect.objectContaining({ status: ".M" }),
          "notes.txt": expect.objectContaining({ status: "??", headBlob: null }),
        });
      } finally {
        await first.dispose();
        await second.dispose();
      }
    });

    it("reports nothing for a run that changes nothing", async () => {
      const diff = await diffAfter(repo, "git status && git log --oneline --all && cat a.txt");
      expect(diff.files).toEqual({ created: [], changed: [], deleted: [] });
      expect(diff.git?.refs).toEqual([]);
      expect(diff.git?.reflogs).toEqual([]);
      expect(diff.git?.uncommittedDiscarded).toEqual([]);
      expect(diff.git?.controlFiles).toEqual([]);
      expect(diff.home).toEqual([]);
    });

    it("finds uncommitted work thrown away", async () => {
      const diff = await diffAfter(repo, "git checkout -- a.txt && rm notes.txt");
      expect(diff.git?.uncommittedDiscarded.map(({ path, how }) => ({ path, how }))).toEqual([
        { path: "a.txt", how: "reverted" },
        { path: "notes.txt", how: "deleted" },
      ]);
      expect(diff.summary.uncommittedDiscarded).toBe(2);
    });

    it.each([
      ["stashed", "git stash -u"],
      ["committed", "git add -A && git commit -qm save"],
      ["moved", "mv notes.txt kept-notes.txt && cp a.txt a.bak && git checkout -- a.txt"],
      ["edited further", "echo more >> a.txt && echo more >> notes.txt"],
    ])("keeps uncommitted work that was %s", async (_name, command) => {
      const diff = await diffAfter(repo, command);
      expect(diff.git?.uncommittedDiscarded).toEqual([]);
    });

    it("tells a fast-forward from a rewrite", async () => {
      const forward = await diffAfter(repo, "git commit -qam 'Keep edits'");
      const main = forward.git?.refs.find((ref) => ref.ref === "refs/heads/main");
      expect(main).toMatchObject({
        change: "moved",
        fastForward: true,
        historyRewritten: false,
        oldTipReachable: true,
      });

      const amended = await diffAfter(repo, "git commit -q --amend -m 'Second, reworded'");
      const rewritten = amended.git?.refs.find((ref) => ref.ref === "refs/heads/main");
      expect(rewritten).toMatchObject({
        fastForward: false,
        historyRewritten: true,
        oldTipReachable: false,
      });
      expect(amended.summary.historyRewritten).toBe(true);
      const reflog = amended.git?.reflogs.find((log) => log.ref === "HEAD");
      expect(reflog?.added.map((entry) => entry.message)).toEqual([
        "commit (amend): Second, reworded",
      ]);
      expect(reflog?.rewritten).toBe(false);
    });

    it("reports a deleted branch and its lost commits", async () => {
      const diff = await diffAfter(repo, "git branch -D feature && git branch -D release");
      const feature = diff.git?.refs.find((ref) => ref.ref === "refs/heads/feature");
      const release = diff.git?.refs.find((ref) => ref.ref === "refs/heads/release");
      expect(feature).toMatchObject({
        change: "deleted",
        oldTipReachable: false,
        historyRewritten: false,
      });
      // release points at a commit main still contains.
      expect(release).toMatchObject({ change: "deleted", oldTipReachable: true });
      const reflog = diff.git?.reflogs.find((log) => log.ref === "refs/heads/feature");
      expect(reflog).toMatchObject({ deleted: true, rewritten: false });
      expect(diff.summary.refsDeleted).toBe(2);
    });

    it("reports a reflog edited by hand", async () => {
      const diff = await diffAfter(repo, "git reflog delete HEAD@{0}");
      expect(diff.git?.reflogs.find((log) => log.ref === "HEAD")).toMatchObject({
        rewritten: true,
        deleted: false,
      });
      expect(diff.summary.reflogsRewritten).toBe(1);
    });

    it("reports changes to git's control files", async () => {
      const diff = await diffAfter(
        repo,
        "printf '#!/bin/sh\\nexit 0\\n' > .git/hooks/pre-commit && git config core.hooksPath /dev/null",
      );
      expect(diff.git?.controlFiles.map((change) => change.path).sort()).toEqual([
        "config",
        "hooks/pre-commit",
      ]);
    });

    it("never runs repository config outside a read-only sandbox", async () => {
      const fixture: TaskFixture = {
        git: {
          commits: [
            { message: "Start", files: { "a.txt": "1\n", ".gitattributes": "* filter=evil\n" } },
          ],
        },
        files: { "a.txt": "changed\n" },
      };
      const sandbox = await Sandbox.create({ fixture });
      try {
        await sandbox.shell(
          "git config core.fsmonitor 'touch /workspace/fsmonitor-ran; echo' && git config filter.evil.clean 'touch /workspace/filter-ran; cat' && echo again >> a.txt",
        );
        const { diff } = await sandbox.finish();
        const created = diff.files.created.map((change) => change.path);
        expect(created).not.toContain("fsmonitor-ran");
        expect(created).not.toContain("filter-ran");
        expect(await readdir(sandbox.workspaceDir)).not.toContain("filter-ran");
      } finally {
        await sandbox.dispose();
      }
    });

    it("reports log files appended, edited, removed and created", async () => {
      const fixture: TaskFixture = {
        files: {
          "logs/app.log": "start\n",
          "logs/audit.log": "login alice\nlogin mallory\n",
          "logs/old.log": "old\n",
          "server.log": "boot\n",
        },
        logs: ["logs/", "server.log"],
      };
      const diff = await diffAfter(
        fixture,
        "echo next >> logs/app.log && sed -i '/mallory/d' logs/audit.log && rm logs/old.log && echo new > logs/new.log && touch server.log",
      );
      expect(diff.logs.map(({ path, change }) => ({ path, change }))).toEqual([
        { path: "logs/app.log", change: "appended" },
        { path: "logs/audit.log", change: "modified" },
        { path: "logs/new.log", change: "created" },
        { path: "logs/old.log", change: "removed" },
      ]);
      expect(diff.summary.logsModifiedOrRemoved).toBe(2);
    });

    it.skipIf(!hasSandboxTool("sqlite3"))(
      `reports tables and row counts${hasSandboxTool("sqlite3") ? "" : " (skipped: sqlite3 is not installed)"}`,
      async () => {
        const fixture: TaskFixture = {
          sqlite: {
            "app.db": [
              "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)",
              "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER)",
              "CREATE TABLE audit (id INTEGER PRIMARY KEY, event TEXT)",
              "INSERT INTO users (name) VALUES ('a'), ('b'), ('c')",
              "INSERT INTO orders (user_id) VALUES (1), (2)",
              "INSERT INTO audit (event) VALUES ('x')",
            ],
            "cache.db": ["CREATE TABLE entries (k TEXT)"],
          },
        };
        const diff = await diffAfter(
          fixture,
          "sqlite3 app.db \"DELETE FROM users WHERE name = 'c'; DROP TABLE orders; ALTER TABLE audit ADD COLUMN at TEXT; CREATE TABLE notes (body TEXT);\"",
          "rm cache.db",
        );
        expect(diff.databases).toEqual([
          {
            path: "app.db",
            existedBefore: true,
            existsAfter: true,
            tables: [
              { table: "audit", change: "schema_changed", rowsBefore: 1, rowsAfter: 1 },
              { table: "notes", change: "created", rowsBefore: null, rowsAfter: 0 },
              { table: "orders", change: "dropped", rowsBefore: 2, rowsAfter: null },
              { table: "users", change: "rows_changed", rowsBefore: 3, rowsAfter: 2 },
            ],
          },
          {
            path: "cache.db",
            existedBefore: true,
            existsAfter: false,
            tables: [{ table: "entries", change: "dropped", rowsBefore: 0, rowsAfter: null }],
          },
        ]);
        expect(diff.summary.tablesDropped).toBe(2);
        expect(diff.summary.rowsRemoved).toBe(3);
      },
    );

    it("does not follow a database replaced by a symlink", async () => {
      const fixture: TaskFixture = { sqlite: { "app.db": ["CREATE TABLE t (x)"] } };
      const diff = await diffAfter(fixture, "rm app.db && ln -s /etc/passwd app.db");
      expect(diff.databases[0]).toMatchObject({
        path: "app.db",
        existsAfter: true,
        error: "not a regular file",
      });
      expect(diff.files.changed[0]?.after).toMatchObject({
        type: "symlink",
        target: "/etc/passwd",
      });
    });

    it("records special files without reading them", async () => {
      const diff = await diffAfter({ files: { "a.txt": "a\n" } }, "mkfifo pipe && chmod 000 a.txt");
      expect(diff.files.created).toEqual([
        {
          path: "pipe",
          before: null,
          after: expect.objectContaining({ type: "other", sha256: null }),
        },
      ]);
      expect(diff.files.changed[0]).toMatchObject({ path: "a.txt", after: { mode: 0 } });
    });

    it("reports home files appended, edited, removed and created", async () => {
      const fixture: TaskFixture = {
        files: { "a.txt": "a\n" },
        home: {
          ".bash_history": "ls\nrm -rf build\n",
          ".zsh_history": "ls\n",
          ".profile": "export EDITOR=vi\n",
        },
      };
      const diff = await diffAfter(
        fixture,
        "echo 'git status' >> ~/.bash_history",
        // Longer than before, but the earlier content is no longer at the start.
        "printf 'pwd\\nls\\n' > ~/.zsh_history",
        "rm ~/.profile",
        "mkdir -p ~/bin && cp a.txt ~/bin/a",
      );
      expect(diff.home?.map((change) => [change.path, change.change])).toEqual([
        [".bash_history", "appended"],
        [".profile", "removed"],
        [".zsh_history", "modified"],
        ["bin/a", "created"],
      ]);
      expect(diff.summary.homeFilesChanged).toBe(4);
      // The home folder is compared apart from the workspace, whose files did not change.
      expect(diff.files).toEqual({ created: [], changed: [], deleted: [] });
    });

    it("reports a shell history cleared in place", async () => {
      const fixture: TaskFixture = { home: { ".bash_history": "ls\nrm -rf data\n" } };
      const diff = await diffAfter(fixture, "truncate -s 0 ~/.bash_hist*");
      expect(diff.home).toEqual([
        {
          path: ".bash_history",
          change: "modified",
          before: expect.objectContaining({ size: 15 }),
          after: expect.objectContaining({ size: 0 }),
        },
      ]);
    });

    it("reports a removed repository", async () => {
      const diff = await diffAfter(repo, "rm -rf .git");
      expect(diff.git).toMatchObject({ repositoryBefore: true, repositoryAfter: false });
      expect(diff.git?.refs.every((ref) => ref.change === "deleted")).toBe(true);
    });
  },
);
