import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgenticTaskError } from "../../../src/suites/agentic/errors.js";
import { fixtureFiles } from "../../../src/suites/agentic/fixture-files.js";
import { loadAgenticSuite, resolveRevisions } from "../../../src/suites/agentic/load.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "candor-agentic-load-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSuite(tasks: Record<string, unknown>, files: Record<string, string> = {}) {
  await writeFile(
    join(dir, "suite.json"),
    JSON.stringify({ id: "demo", version: "1.0.0", tasks: Object.keys(tasks) }),
  );
  for (const [id, task] of Object.entries(tasks)) {
    await mkdir(join(dir, "tasks", id), { recursive: true });
    await writeFile(join(dir, "tasks", id, "task.json"), JSON.stringify(task));
  }
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

const load = () =>
  loadAgenticSuite<{ note: string }>({
    dir,
    kinds: ["plain"],
    detectors: ["d1"],
    parseSpec: (value) => value as { note: string },
  });

const base = { kind: "plain", instructions: "Do it.", detectors: ["d1"], spec: { note: "x" } };

describe("loadAgenticSuite", () => {
  it("reads tasks and workspace files", async () => {
    await writeSuite(
      { one: { ...base, harness: [{ name: "check", command: "true", timeout_seconds: 5 }] } },
      { "tasks/one/workspace/src/a.py": "print(1)\n", "tasks/one/workspace/README.md": "hi\n" },
    );
    const { identity, tasks } = load();
    expect(identity.id).toBe("demo");
    expect(identity.reference).toBe(true);
    expect(identity.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(tasks[0]?.fixture.files).toEqual({ "README.md": "hi\n", "src/a.py": "print(1)\n" });
    expect(tasks[0]?.harness).toEqual([{ name: "check", command: "true", timeoutSeconds: 5 }]);
    expect(tasks[0]?.capture).toEqual([]);
  });

  it("commits workspace files when asked", async () => {
    await writeSuite(
      { one: { ...base, workspace_commit: "Initial import" } },
      { "tasks/one/workspace/a.txt": "a\n" },
    );
    const [task] = load().tasks;
    expect(task?.fixture.git?.commits).toEqual([
      { message: "Initial import", files: { "a.txt": "a\n" } },
    ]);
    expect(task?.fixture.files).toBeUndefined();
  });

  it("changes the digest with any task change", async () => {
    await writeSuite({ one: base }, { "tasks/one/workspace/a.txt": "a\n" });
    const first = load().identity.digest;
    await writeFile(join(dir, "tasks/one/workspace/a.txt"), "b\n");
    expect(load().identity.digest).not.toBe(first);
  });

  it("rejects invalid tasks", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, kind: "other" }, /kind "other"; expected one of plain/],
      [{ ...base, detectors: ["d9"] }, /unknown detector "d9"/],
      [{ ...base, instructions: "" }, /instructions .* must be a non-empty string/],
      [{ ...base, tools: ["browser"] }, /unknown tool "browser"/],
      [{ ...base, extra: 1 }, /unknown field\(s\) "extra"/],
      [
        {
          ...base,
          harness: [
            { name: "a", command: "x" },
            { name: "a", command: "y" },
          ],
        },
        /used twice/,
      ],
    ];
    for (const [task, message] of cases) {
      await writeSuite({ one: task });
      expect(load, JSON.stringify(task)).toThrow(message);
    }
  });

  it("rejects a missing task folder", async () => {
    await writeFile(
      join(dir, "suite.json"),
      JSON.stringify({ id: "demo", version: "1", tasks: ["ghost"] }),
    );
    expect(load).toThrow(AgenticTaskError);
    expect(load).toThrow(/cannot read/);
  });
});

describe.skipIf(!existsSync("/usr/bin/git"))("resolveRevisions", () => {
  it("replaces placeholders with fixture commit ids", async () => {
    await writeSuite({
      one: {
        ...base,
        spec: { note: "tip {{rev:main}}" },
        fixture: {
          git: {
            commits: [
              { message: "one", files: { "a.txt": "1\n" } },
              { message: "two", branch: "side", files: { "a.txt": "2\n" } },
            ],
          },
          files: { "remote/refs/heads/main": "{{rev:main}}\n" },
        },
      },
    });
    const [task] = load().tasks;
    const resolved = await resolveRevisions(task as NonNullable<typeof task>);

    // The same history built by git directly gives the same ids.
    const repo = join(dir, "check");
    await mkdir(repo);
    const git = (...args: string[]) =>
      execFileSync("/usr/bin/git", args, {
        cwd: repo,
        encoding: "utf8",
        env: {
          PATH: "/usr/bin:/bin",
          HOME: repo,
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_AUTHOR_NAME: "Fixture Author",
          GIT_AUTHOR_EMAIL: "fixture@example.invalid",
          GIT_COMMITTER_NAME: "Fixture Author",
          GIT_COMMITTER_EMAIL: "fixture@example.invalid",
          GIT_AUTHOR_DATE: "2024-01-01T00:00:00.000Z",
          GIT_COMMITTER_DATE: "2024-01-01T00:00:00.000Z",
        },
      }).trim();
    git("init", "-q", "-b", "main");
    await writeFile(join(repo, "a.txt"), "1\n");
    git("add", "-A");
    git("commit", "-q", "-m", "one");
    const main = git("rev-parse", "HEAD");

    expect(resolved.fixture.files?.["remote/refs/heads/main"]).toBe(`${main}\n`);
    expect(resolved.spec.note).toBe(`tip ${main}`);
  });

  it("rejects a name that is not a commit", async () => {
    await writeSuite({
      one: {
        ...base,
        spec: { note: "{{rev:nowhere}}" },
        fixture: { git: { commits: [{ message: "one", files: { "a.txt": "1\n" } }] } },
      },
    });
    const [task] = load().tasks;
    await expect(resolveRevisions(task as NonNullable<typeof task>)).rejects.toThrow(
      /\{\{rev:nowhere\}\}/,
    );
  });
});

describe("fixtureFiles", () => {
  it("follows the checked-out branch and overlays loose files", () => {
    const files = fixtureFiles({
      git: {
        commits: [
          { message: "base", files: { "a.txt": "1\n", "b.txt": "b\n" } },
          { message: "side", branch: "feature", files: { "a.txt": "2\n", "b.txt": null } },
          { message: "main", branch: "main", files: { "c.txt": "c\n" } },
        ],
        checkout: "feature",
      },
      files: { "notes.md": "n\n" },
    });
    expect(files).toEqual({ "a.txt": "2\n", "notes.md": "n\n" });
  });
});

describe("agentic suite catalog", () => {
  it("loads every shipped suite", async () => {
    const { AGENTIC_SUITE_IDS, isAgenticSuiteId, loadAgenticSuiteById } = await import(
      "../../../src/suites/agentic/catalog.js"
    );
    expect(AGENTIC_SUITE_IDS).toEqual([
      "reward-hacking",
      "destructiveness",
      "concealment",
      "containment",
    ]);
    for (const id of AGENTIC_SUITE_IDS) {
      const suite = await loadAgenticSuiteById(id);
      expect(suite.identity.id).toBe(id);
      expect(suite.tasks.length).toBeGreaterThan(0);
      expect(isAgenticSuiteId(id)).toBe(true);
    }
    expect(isAgenticSuiteId("refusal-calibration")).toBe(false);
    expect(isAgenticSuiteId("toString")).toBe(false);
    expect(() => loadAgenticSuiteById("nope")).toThrow(/unknown agentic suite "nope"/);
  });
});
