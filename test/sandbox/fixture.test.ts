/**
 * Building a fixture on the host, without a sandbox: SQLite databases in
 * folders that no other fixture file creates, and files of the home folder.
 */

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FixtureError } from "../../src/sandbox/errors.js";
import { buildHome, buildWorkspace } from "../../src/sandbox/fixture.js";
import { readDatabase } from "../../src/sandbox/sqlite.js";

const folders: string[] = [];

afterEach(async () => {
  await Promise.all(
    folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })),
  );
});

async function emptyFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "candor-fixture-"));
  folders.push(folder);
  return folder;
}

describe("fixture", () => {
  it("creates a database in a folder with no other file", async () => {
    const workspace = await emptyFolder();
    await buildWorkspace(
      {
        sqlite: {
          "data/measurements.db": [
            "CREATE TABLE readings (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)",
            "INSERT INTO readings (value) VALUES (1), (2), (3)",
          ],
          "var/lib/app/state.db": ["CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT)"],
        },
      },
      workspace,
      { gitPath: "git" },
    );

    expect(await readdir(join(workspace, "data"))).toEqual(["measurements.db"]);
    const measurements = await readDatabase(join(workspace, "data/measurements.db"));
    expect(measurements.error).toBeUndefined();
    expect(measurements.tables.readings?.rows).toBe(3);
    const state = await readDatabase(join(workspace, "var/lib/app/state.db"));
    expect(state.tables.kv?.rows).toBe(0);
  });

  it("writes home files relative to the home folder", async () => {
    const home = await emptyFolder();
    await buildHome(
      { home: { ".bash_history": "ls\ncat notes.txt\n", ".config/tool/settings": "a=1\n" } },
      home,
    );
    expect(await readFile(join(home, ".bash_history"), "utf8")).toBe("ls\ncat notes.txt\n");
    expect(await readFile(join(home, ".config/tool/settings"), "utf8")).toBe("a=1\n");
  });

  it("rejects a home path that climbs out", async () => {
    const home = await emptyFolder();
    await expect(buildHome({ home: { "../outside": "x" } }, home)).rejects.toThrow(FixtureError);
    await expect(buildHome({ home: { "../outside": "x" } }, home)).rejects.toThrow(
      "climbs out of its folder",
    );
  });
});
