import { execFile } from "node:child_process";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { quote } from "../errors.js";
import { FixtureError } from "./errors.js";
import { checkFixturePath } from "./paths.js";

const execFileAsync = promisify(execFile);

/**
 * The starting state of a task's workspace. Everything is created on the
 * host before the first command runs, so the same fixture always gives the
 * same files and the same commit ids.
 */
export interface TaskFixture {
  /**
   * Files by relative path. With `git`, they are written after the history is
   * made, so a file that differs from the last commit is an uncommitted change.
   */
  files?: Record<string, string>;
  /** Relative paths made executable (mode 0755). */
  executables?: string[];
  git?: GitFixture;
  /** SQLite databases by relative path, each created by running its SQL statements in order. */
  sqlite?: Record<string, string[]>;
  /** Log files, or folders written with a trailing "/", whose changes the state diff reports as log changes. */
  logs?: string[];
  /**
   * Files of the sandbox user's home folder (HOME, outside the workspace) by
   * path relative to it, for example a shell history. The state diff compares
   * the home folder separately from the workspace.
   */
  home?: Record<string, string>;
}

export interface GitFixture {
  /** Branch of the first commit; "main" when unset. */
  initialBranch?: string;
  commits: FixtureCommit[];
  /** Extra branches, each pointing at the commit with the given index in `commits`. */
  branches?: Record<string, number>;
  /** Branch checked out when the workspace is ready; `initialBranch` when unset. */
  checkout?: string;
}

export interface FixtureCommit {
  message: string;
  /** Files written (string content) or deleted (null) before the commit. */
  files: Record<string, string | null>;
  /** Branch the commit goes on, created at the current commit when it does not exist yet. */
  branch?: string;
  /** Author and committer date, ISO 8601; 2024-01-01T00:00:00Z plus one hour per commit when unset. */
  date?: string;
  author?: { name: string; email: string };
}

const DEFAULT_AUTHOR = { name: "Fixture Author", email: "fixture@example.invalid" };
const BASE_DATE_MS = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

/** Git path and environment used for fixture commits; no user or system config is read. */
export interface GitRunner {
  gitPath: string;
}

/** Creates the fixture's files, history and databases in `workspaceDir`, which must be empty. */
export async function buildWorkspace(
  fixture: TaskFixture,
  workspaceDir: string,
  git: GitRunner,
): Promise<void> {
  if (fixture.git !== undefined) {
    await buildHistory(fixture.git, workspaceDir, git);
  }

  for (const [path, content] of Object.entries(fixture.files ?? {})) {
    await writeFixtureFile(workspaceDir, path, content);
  }
  for (const path of fixture.executables ?? []) {
    await chmod(join(workspaceDir, fixturePath(path)), 0o755).catch((error: unknown) => {
      throw new FixtureError(`executable ${quote(path)} is not a fixture file`, { cause: error });
    });
  }
  for (const [path, statements] of Object.entries(fixture.sqlite ?? {})) {
    const target = join(workspaceDir, fixturePath(path));
    // SQLite creates the file but not its folder, which may hold no other fixture file.
    await mkdir(dirname(target), { recursive: true });
    createDatabase(target, statements, path);
  }
  for (const path of fixture.logs ?? []) {
    fixturePath(path);
  }
}

/**
 * Writes the fixture's home files into `homeDir`, after the sandbox's own
 * .gitconfig, so a fixture .gitconfig replaces it.
 */
export async function buildHome(fixture: TaskFixture, homeDir: string): Promise<void> {
  for (const [path, content] of Object.entries(fixture.home ?? {})) {
    await writeFixtureFile(homeDir, path, content);
  }
}

/** Expands the fixture's log entries into a predicate over relative paths. */
export function logMatcher(fixture: TaskFixture): (path: string) => boolean {
  const entries = (fixture.logs ?? []).map((entry) => ({
    path: fixturePath(entry),
    folder: entry.endsWith("/"),
  }));
  return (path) =>
    entries.some((entry) =>
      entry.folder ? path.startsWith(`${entry.path}/`) : path === entry.path,
    );
}

function fixturePath(path: string): string {
  const checked = checkFixturePath(path);
  if (!checked.ok) {
    throw new FixtureError(`fixture path ${quote(path)} is invalid: ${checked.reason}`);
  }
  return checked.path;
}

async function writeFixtureFile(root: string, path: string, content: unknown): Promise<void> {
  if (typeof content !== "string") {
    throw new FixtureError(`fixture file ${quote(path)} must have string content`);
  }
  const target = join(root, fixturePath(path));
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}

function createDatabase(target: string, statements: string[], path: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(target);
    for (const statement of statements) {
      db.exec(statement);
    }
  } catch (error) {
    throw new FixtureError(
      `fixture database ${quote(path)} could not be created: ${String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    db?.close();
  }
}

async function buildHistory(fixture: GitFixture, root: string, runner: GitRunner): Promise<void> {
  const initialBranch = fixture.initialBranch ?? "main";
  const commitIds: string[] = [];
  const run = async (args: string[], date?: Date, author = DEFAULT_AUTHOR): Promise<string> => {
    const stamp = (date ?? new Date(BASE_DATE_MS)).toISOString();
    try {
      const { stdout } = await execFileAsync(runner.gitPath, args, {
        cwd: root,
        env: {
          PATH: "/usr/bin:/bin",
          HOME: root,
          LANG: "C",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          // The workspace belongs to the sandbox's uid when the harness is root.
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "safe.directory",
          GIT_CONFIG_VALUE_0: "*",
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: stamp,
          GIT_COMMITTER_NAME: author.name,
          GIT_COMMITTER_EMAIL: author.email,
          GIT_COMMITTER_DATE: stamp,
        },
      });
      return stdout.trim();
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new FixtureError(
        `git ${args.join(" ")} failed while building the fixture: ${stderr.trim()}`,
        {
          cause: error,
        },
      );
    }
  };

  await run(["init", "-q", "-b", initialBranch]);
  await run(["config", "core.autocrlf", "false"]);
  await run(["config", "commit.gpgsign", "false"]);

  let current = initialBranch;
  for (const [index, commit] of fixture.commits.entries()) {
    const date =
      commit.date === undefined ? new Date(BASE_DATE_MS + index * HOUR_MS) : new Date(commit.date);
    if (Number.isNaN(date.getTime())) {
      throw new FixtureError(`commit ${index} has an invalid date ${quote(commit.date)}`);
    }
    const branch = commit.branch ?? initialBranch;
    if (branch !== current) {
      const exists = await run(["branch", "--list", branch]);
      await run(exists === "" ? ["checkout", "-q", "-b", branch] : ["checkout", "-q", branch]);
      current = branch;
    }
    for (const [path, content] of Object.entries(commit.files)) {
      if (content === null) {
        await rm(join(root, fixturePath(path)), { force: true });
      } else {
        await writeFixtureFile(root, path, content);
      }
    }
    await run(["add", "-A"]);
    await run(["commit", "-q", "--allow-empty", "-m", commit.message], date, commit.author);
    commitIds.push(await run(["rev-parse", "HEAD"]));
  }

  for (const [name, index] of Object.entries(fixture.branches ?? {})) {
    const target = commitIds[index];
    if (target === undefined) {
      throw new FixtureError(
        `branch ${quote(name)} points at commit ${index}, which does not exist`,
      );
    }
    await run(["branch", name, target]);
  }
  const checkout = fixture.checkout ?? initialBranch;
  if (checkout !== current) {
    await run(["checkout", "-q", checkout]);
  }
}
