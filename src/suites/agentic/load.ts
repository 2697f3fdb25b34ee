import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { AGENT_TOOL_NAMES, type AgentToolName } from "../../agent/tools.js";
import { quote } from "../../errors.js";
import { findExecutable } from "../../sandbox/bwrap.js";
import { buildWorkspace, type TaskFixture } from "../../sandbox/fixture.js";
import { digestItems } from "../registry.js";
import type { SuiteIdentity } from "../types.js";
import { AgenticTaskError } from "./errors.js";
import type { AgenticTask, HarnessCommand } from "./task.js";

const execFileAsync = promisify(execFile);

/** How to read and check one suite's folder. */
export interface LoadAgenticSuiteOptions<Spec> {
  /** Folder holding suite.json and tasks/. */
  dir: string;
  /** Task kinds the suite accepts. */
  kinds: readonly string[];
  /** Detector ids the suite implements. */
  detectors: readonly string[];
  /** Checks a task's `spec` member and returns it typed; throws AgenticTaskError when it is invalid. */
  parseSpec: (value: unknown, path: string) => Spec;
  /**
   * Completes a task after it is read and before the digest is taken, for
   * settings the suite derives from the task (captured files, generated
   * harness commands), so the digest covers them.
   */
  prepare?: (task: AgenticTask<Spec>, path: string) => AgenticTask<Spec>;
}

export interface LoadedAgenticSuite<Spec> {
  identity: SuiteIdentity;
  tasks: AgenticTask<Spec>[];
}

/**
 * Reads an agentic suite folder:
 *
 * - `suite.json`: `{ "id", "version", "tasks": [task ids in run order] }`.
 * - `tasks/<id>/task.json`: kind, instructions, detectors, harness, capture,
 *   fixture, spec and optionally tools (see README.md in this folder).
 * - `tasks/<id>/workspace/`: optional files added to the fixture, as
 *   uncommitted files or, with `"workspace_commit": MESSAGE`, as the first
 *   commit of the fixture's git history.
 *
 * The suite digest is the canonical digest of the tasks as read, before
 * `{{rev:...}}` placeholders are resolved, so it changes with any change to
 * a task's files, instructions, detectors or settings.
 */
export function loadAgenticSuite<Spec>(
  options: LoadAgenticSuiteOptions<Spec>,
): LoadedAgenticSuite<Spec> {
  const manifestPath = join(options.dir, "suite.json");
  const manifest = asObject(readJson(manifestPath), manifestPath, "the suite manifest");
  const id = requireString(manifest.id, manifestPath, "id");
  const version = requireString(manifest.version, manifestPath, "version");
  const taskIds = requireStrings(manifest.tasks, manifestPath, "tasks");
  if (taskIds.length === 0) {
    throw new AgenticTaskError(manifestPath, `suite ${quote(id)} lists no tasks`);
  }
  const duplicate = taskIds.find((taskId, index) => taskIds.indexOf(taskId) !== index);
  if (duplicate !== undefined) {
    throw new AgenticTaskError(
      manifestPath,
      `suite ${quote(id)} lists task ${quote(duplicate)} twice`,
    );
  }

  const tasks = taskIds.map((taskId) => {
    const dir = join(options.dir, "tasks", taskId);
    const task = readTask(dir, taskId, options);
    return options.prepare === undefined ? task : options.prepare(task, join(dir, "task.json"));
  });
  return {
    identity: { id, version, digest: digestItems(tasks), reference: true },
    tasks,
  };
}

function readTask<Spec>(
  dir: string,
  id: string,
  options: LoadAgenticSuiteOptions<Spec>,
): AgenticTask<Spec> {
  const path = join(dir, "task.json");
  const raw = asObject(readJson(path), path, "a task");
  const known = new Set([
    "kind",
    "instructions",
    "tools",
    "detectors",
    "harness",
    "capture",
    "fixture",
    "workspace_commit",
    "spec",
  ]);
  const unknown = Object.keys(raw).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new AgenticTaskError(
      path,
      `task ${quote(id)} has unknown field(s) ${unknown.map((key) => quote(key)).join(", ")}`,
    );
  }

  const kind = requireString(raw.kind, path, "kind");
  if (!options.kinds.includes(kind)) {
    throw new AgenticTaskError(
      path,
      `task ${quote(id)} has kind ${quote(kind)}; expected one of ${options.kinds.join(", ")}`,
    );
  }
  const detectors = requireStrings(raw.detectors, path, "detectors");
  for (const detector of detectors) {
    if (!options.detectors.includes(detector)) {
      throw new AgenticTaskError(
        path,
        `task ${quote(id)} names an unknown detector ${quote(detector)}; known: ${options.detectors.join(", ")}`,
      );
    }
  }

  const task: AgenticTask<Spec> = {
    id,
    kind,
    instructions: requireString(raw.instructions, path, "instructions"),
    fixture: readFixture(raw, dir, path),
    detectors,
    harness: readHarness(raw.harness, path),
    capture: raw.capture === undefined ? [] : requireStrings(raw.capture, path, "capture"),
    spec: options.parseSpec(raw.spec, path),
  };
  if (raw.tools !== undefined) {
    const tools = requireStrings(raw.tools, path, "tools");
    for (const tool of tools) {
      if (!(AGENT_TOOL_NAMES as readonly string[]).includes(tool)) {
        throw new AgenticTaskError(
          path,
          `task ${quote(id)} offers an unknown tool ${quote(tool)}; known: ${AGENT_TOOL_NAMES.join(", ")}`,
        );
      }
    }
    task.tools = tools as AgentToolName[];
  }
  return task;
}

function readFixture(raw: Record<string, unknown>, dir: string, path: string): TaskFixture {
  const fixture = structuredClone(
    raw.fixture === undefined ? {} : asObject(raw.fixture, path, "fixture"),
  ) as TaskFixture;
  const workspaceDir = join(dir, "workspace");
  const files = existsSync(workspaceDir) ? readTree(workspaceDir) : {};

  if (raw.workspace_commit !== undefined) {
    const message = requireString(raw.workspace_commit, path, "workspace_commit");
    const git = fixture.git ?? { commits: [] };
    fixture.git = { ...git, commits: [{ message, files }, ...git.commits] };
  } else if (Object.keys(files).length > 0) {
    const clash = Object.keys(files).find((file) => fixture.files?.[file] !== undefined);
    if (clash !== undefined) {
      throw new AgenticTaskError(
        path,
        `fixture file ${quote(clash)} is given both in task.json and in workspace/`,
      );
    }
    fixture.files = { ...files, ...fixture.files };
  }
  return fixture;
}

/** Reads every file under `root` as UTF-8 text, by relative path with forward slashes. */
function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) {
        visit(full);
      } else {
        files[relative(root, full).split(sep).join("/")] = readFileSync(full, "utf8");
      }
    }
  };
  visit(root);
  return files;
}

function readHarness(value: unknown, path: string): HarnessCommand[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new AgenticTaskError(path, `harness must be an array, received ${quote(value)}`);
  }
  const names = new Set<string>();
  return value.map((entry, index) => {
    const step = asObject(entry, path, `harness[${index}]`);
    const command: HarnessCommand = {
      name: requireString(step.name, path, `harness[${index}].name`),
      command: requireString(step.command, path, `harness[${index}].command`),
    };
    if (names.has(command.name)) {
      throw new AgenticTaskError(path, `harness command name ${quote(command.name)} is used twice`);
    }
    names.add(command.name);
    if (step.timeout_seconds !== undefined) {
      if (typeof step.timeout_seconds !== "number" || !(step.timeout_seconds > 0)) {
        throw new AgenticTaskError(
          path,
          `harness[${index}].timeout_seconds must be a positive number, received ${quote(step.timeout_seconds)}`,
        );
      }
      command.timeoutSeconds = step.timeout_seconds;
    }
    return command;
  });
}

/** Places git is looked for, the same as the sandbox's. */
const GIT_CANDIDATES = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"];

const PLACEHOLDER = /\{\{rev:([^{}\s]+)\}\}/g;

/**
 * Replaces `{{rev:NAME}}` in the task's fixture files, harness commands and
 * spec with the commit id that NAME (a branch or any revision git accepts)
 * has in the fixture's history. Fixture commits are made with fixed authors
 * and dates, so the ids are the same in every sandbox built from the task.
 * They are found by building the history once in a temporary folder with
 * `gitPath`, or with the first git found in the usual places. Files that
 * must name a commit, such as the refs of a bare remote inside the
 * workspace, use it. A task without placeholders is returned unchanged.
 */
export async function resolveRevisions<Spec>(
  task: AgenticTask<Spec>,
  gitPath?: string,
): Promise<AgenticTask<Spec>> {
  const names = new Set<string>();
  collectStrings(task, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) {
      names.add(match[1] as string);
    }
  });
  if (names.size === 0) {
    return task;
  }
  if (task.fixture.git === undefined) {
    throw new AgenticTaskError(
      task.id,
      `task ${quote(task.id)} uses {{rev:...}} but its fixture has no git history`,
    );
  }

  const git = gitPath ?? (await findExecutable(GIT_CANDIDATES));
  if (git === null) {
    throw new AgenticTaskError(
      task.id,
      `task ${quote(task.id)} uses {{rev:...}}, but git was not found in ${GIT_CANDIDATES.join(", ")}`,
      {
        hint: "Install git; the sandbox needs it for this task as well.",
      },
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "candor-revisions-"));
  const revisions = new Map<string, string>();
  try {
    await buildWorkspace({ git: task.fixture.git }, dir, { gitPath: git });
    for (const name of names) {
      try {
        const { stdout } = await execFileAsync(
          git,
          ["-c", "safe.directory=*", "rev-parse", "--verify", "--quiet", `${name}^{commit}`],
          { cwd: dir, env: { PATH: "/usr/bin:/bin", GIT_CONFIG_NOSYSTEM: "1", HOME: dir } },
        );
        revisions.set(name, stdout.trim());
      } catch (error) {
        throw new AgenticTaskError(
          task.id,
          `task ${quote(task.id)} uses {{rev:${name}}}, which is not a commit of its fixture history`,
          { cause: error },
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return mapStrings(task, (text) =>
    text.replace(PLACEHOLDER, (_, name: string) => revisions.get(name) as string),
  );
}

function collectStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") {
    visit(value);
  } else if (Array.isArray(value)) {
    for (const element of value) {
      collectStrings(element, visit);
    }
  } else if (value !== null && typeof value === "object") {
    for (const member of Object.values(value)) {
      collectStrings(member, visit);
    }
  }
}

function mapStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === "string") {
    return map(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map((element) => mapStrings(element, map)) as T;
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, mapStrings(member, map)]),
    ) as T;
  }
  return value;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new AgenticTaskError(path, `cannot read ${quote(path)}`, {
      hint: "Check that the suite folder is complete.",
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AgenticTaskError(
      path,
      `${quote(path)} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function asObject(value: unknown, path: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AgenticTaskError(
      path,
      `${what} in ${quote(path)} must be a JSON object, received ${quote(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function requireString(value: unknown, path: string, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} must be a non-empty string, received ${quote(value)}`,
    );
  }
  return value;
}

function requireStrings(value: unknown, path: string, field: string): string[] {
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string" || entry === "")) {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} must be an array of non-empty strings, received ${quote(value)}`,
    );
  }
  return value as string[];
}
