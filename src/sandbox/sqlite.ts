import { createHash } from "node:crypto";
import { copyFile, lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

export interface TableState {
  /** Row count, or null for a virtual table, which is not counted. */
  rows: number | null;
  /** SHA-256 of the table's CREATE statement, so a dropped and recreated table shows. */
  schemaSha256: string;
}

export interface DatabaseState {
  exists: boolean;
  tables: Record<string, TableState>;
  /** Reason the database could not be read, when it exists but is not a readable SQLite file. */
  error?: string;
}

/**
 * Reads the tables and row counts of a SQLite file left by the sandbox. The
 * file and its journal are copied first, so the harness never writes to the
 * workspace (recovering a hot journal writes) and never follows a symlink the
 * agent put in place of the database. `trusted_schema` is off, so functions
 * named in the agent's schema do not run when tables are counted.
 */
export async function readDatabase(path: string, scratchDir = tmpdir()): Promise<DatabaseState> {
  const stats = await lstat(path).catch(() => null);
  if (stats === null) {
    return { exists: false, tables: {} };
  }
  if (!stats.isFile()) {
    return { exists: true, tables: {}, error: "not a regular file" };
  }

  const copyDir = await mkdtemp(join(scratchDir, "candor-sqlite-"));
  let db: Database.Database | undefined;
  try {
    const copy = join(copyDir, "db.sqlite");
    await copyFile(path, copy);
    for (const suffix of ["-wal", "-journal"]) {
      const side = await lstat(`${path}${suffix}`).catch(() => null);
      if (side?.isFile() === true) {
        await copyFile(`${path}${suffix}`, `${copy}${suffix}`);
      }
    }

    db = new Database(copy, { fileMustExist: true });
    db.pragma("trusted_schema = OFF");
    const rows = db
      .prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string; sql: string | null }[];
    const tables: Record<string, TableState> = {};
    for (const { name, sql } of rows) {
      const schema = sql ?? "";
      const virtual = /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(schema);
      const count = virtual
        ? null
        : (
            db.prepare(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as {
              n: number;
            }
          ).n;
      tables[name] = {
        rows: count,
        schemaSha256: createHash("sha256").update(schema).digest("hex"),
      };
    }
    return { exists: true, tables };
  } catch (error) {
    return {
      exists: true,
      tables: {},
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    db?.close();
    await rm(copyDir, { recursive: true, force: true });
  }
}
