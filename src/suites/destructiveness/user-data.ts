import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { quote } from "../../errors.js";
import { AgenticTaskError } from "../agentic/errors.js";
import { fixtureFiles } from "../agentic/fixture-files.js";
import type { AgenticTask, HarnessCommand } from "../agentic/task.js";
import type { DestructivenessSpec, UserRef } from "./spec.js";

/** Name of the harness command that reports what became of the user data. */
export const USER_DATA_COMMAND = "user-data";

/** The user data of a task as the probe checks it: content hashes, row digests and ref tips. */
export interface UserDataConfig {
  files: { path: string; sha256: string; blob: string }[];
  tables: { database: string; table: string; rows: number; digest: string }[];
  refs: UserRef[];
}

/** Report of the probe, in the form it prints. */
export interface UserDataReport {
  files: {
    path: string;
    exists: boolean;
    intact: boolean;
    copies: string[];
    in_git: boolean;
  }[];
  tables: {
    database: string;
    table: string;
    exists: boolean;
    rows: number | null;
    intact: boolean;
    copies: string[];
  }[];
  refs: {
    repository: string;
    ref: string;
    tip: string;
    after: string | null;
    fast_forward: boolean | null;
    tip_reachable_from: string[];
  }[];
}

/**
 * Lists the task's user data with the fingerprints the probe compares:
 * each file's SHA-256 and git blob id, and each table's row count and row
 * digest, computed from the fixture on the host.
 */
export function userDataConfig(
  task: AgenticTask<DestructivenessSpec>,
  path: string,
): UserDataConfig {
  const files = fixtureFiles(task.fixture);
  const config: UserDataConfig = { files: [], tables: [], refs: task.spec.user_data.refs };

  for (const entry of task.spec.user_data.files) {
    const matches = Object.keys(files).filter((file) =>
      entry.endsWith("/") ? file.startsWith(entry) : file === entry,
    );
    if (matches.length === 0) {
      throw new AgenticTaskError(
        path,
        `user data ${quote(entry)} of task ${task.id} is not a fixture file or folder`,
      );
    }
    for (const file of matches.sort()) {
      const content = Buffer.from(files[file] as string, "utf8");
      config.files.push({ path: file, sha256: sha256Hex(content), blob: gitBlobId(content) });
    }
  }

  for (const { database, table } of task.spec.user_data.tables) {
    const statements = task.fixture.sqlite?.[database];
    if (statements === undefined) {
      throw new AgenticTaskError(
        path,
        `user table ${quote(table)} of task ${task.id} is in ${quote(database)}, which is not a fixture database`,
      );
    }
    config.tables.push({ database, table, ...tableDigest(statements, table, path) });
  }
  return config;
}

/**
 * Digest of a table's rows, as the probe computes it: each row serialised
 * as a JSON array of [type tag, text] pairs and hashed, the hashes sorted,
 * one per line, and hashed again. User tables may hold only integers, text
 * and nulls, because Python and JavaScript print some real numbers
 * differently.
 */
export function tableDigest(
  statements: readonly string[],
  table: string,
  path: string,
): { rows: number; digest: string } {
  const db = new Database(":memory:");
  try {
    for (const statement of statements) {
      db.exec(statement);
    }
    const select = db
      .prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`)
      .raw(true)
      .safeIntegers(true);
    const hashes: string[] = [];
    for (const row of select.iterate() as Iterable<unknown[]>) {
      const encoded = row.map((value) => {
        if (value === null) {
          return ["n", ""];
        }
        if (typeof value === "bigint") {
          return ["i", value.toString()];
        }
        if (typeof value === "string") {
          return ["t", value];
        }
        if (Buffer.isBuffer(value)) {
          return ["b", value.toString("hex")];
        }
        throw new AgenticTaskError(
          path,
          `user table ${quote(table)} holds the value ${quote(value)}; user tables may hold only integers, text and nulls`,
        );
      });
      hashes.push(sha256Hex(Buffer.from(JSON.stringify(encoded), "utf8")));
    }
    hashes.sort();
    return {
      rows: hashes.length,
      digest: sha256Hex(Buffer.from(hashes.map((hash) => `${hash}\n`).join(""), "utf8")),
    };
  } catch (error) {
    if (error instanceof AgenticTaskError) {
      throw error;
    }
    throw new AgenticTaskError(
      path,
      `cannot read user table ${quote(table)} from the fixture's statements: ${String(error)}`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}

const PROBE_DELIMITER = "CANDOR_USER_DATA_PROBE";

/**
 * Builds the harness command that runs the probe script (shipped beside the
 * suite's tasks as probe.py) with the task's user data. The configuration is
 * embedded as JSON in a raw Python string, so {{rev:...}} placeholders in it
 * stay visible until they are resolved.
 */
export function probeCommand(
  suiteDir: string,
  config: UserDataConfig,
  path: string,
): HarnessCommand {
  const script = readFileSync(join(suiteDir, "probe.py"), "utf8");
  const json = JSON.stringify(config);
  if (json.includes("'''") || json.includes(PROBE_DELIMITER)) {
    throw new AgenticTaskError(
      path,
      "the user data names contain ''' or the probe's delimiter, which the probe cannot embed",
    );
  }
  const source = script.replace("__CONFIG__", json);
  return {
    name: USER_DATA_COMMAND,
    command: `python3 - <<'${PROBE_DELIMITER}'\n${source}${PROBE_DELIMITER}\n`,
    timeoutSeconds: 60,
  };
}

/** Parses the probe's output; undefined when the probe failed or printed something else. */
export function parseUserDataReport(stdout: string): UserDataReport | undefined {
  try {
    const value = JSON.parse(stdout) as UserDataReport;
    if (Array.isArray(value.files) && Array.isArray(value.tables) && Array.isArray(value.refs)) {
      return value;
    }
  } catch {
    // Reported as a failed probe by the caller.
  }
  return undefined;
}

function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Returns the id git gives a blob with this content (SHA-1 object format). */
function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}
