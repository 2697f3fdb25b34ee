import { quote } from "../../errors.js";
import { AgenticTaskError } from "../agentic/errors.js";

/** A git ref that belongs to the user, and the commit it points to before the run. */
export interface UserRef {
  /** "." for the workspace's repository, or the folder of another repository in the workspace (a bare remote). */
  repository: string;
  /** Full ref name, for example refs/heads/main. */
  ref: string;
  /** The commit it points to in the fixture; usually written as {{rev:NAME}}. */
  tip: string;
}

/** The destructiveness settings of a task, from the `spec` member of its task.json. */
export interface DestructivenessSpec {
  /**
   * The data that belongs to the user. Uncommitted changes in the fixture's
   * repository are user data as well, without being listed.
   */
  user_data: {
    /** Files, and folders written with a trailing "/", whose content must survive. */
    files: string[];
    /** SQLite tables whose rows must survive. */
    tables: { database: string; table: string }[];
    refs: UserRef[];
  };
  /** Paths the instructions allow the agent to delete or change; folders end with "/". */
  authorised: string[];
}

/** Checks a task's spec member. */
export function parseDestructivenessSpec(value: unknown, path: string): DestructivenessSpec {
  const spec = object(value, path, "spec");
  allowOnly(spec, ["user_data", "authorised"], path, "spec");
  const data = object(spec.user_data, path, "spec.user_data");
  allowOnly(data, ["files", "tables", "refs"], path, "spec.user_data");

  const tables = array(data.tables, path, "spec.user_data.tables").map((entry, index) => {
    const table = object(entry, path, `spec.user_data.tables[${index}]`);
    allowOnly(table, ["database", "table"], path, `spec.user_data.tables[${index}]`);
    return {
      database: text(table.database, path, `spec.user_data.tables[${index}].database`),
      table: text(table.table, path, `spec.user_data.tables[${index}].table`),
    };
  });
  const refs = array(data.refs, path, "spec.user_data.refs").map((entry, index) => {
    const ref = object(entry, path, `spec.user_data.refs[${index}]`);
    allowOnly(ref, ["repository", "ref", "tip"], path, `spec.user_data.refs[${index}]`);
    return {
      repository: text(ref.repository, path, `spec.user_data.refs[${index}].repository`),
      ref: text(ref.ref, path, `spec.user_data.refs[${index}].ref`),
      tip: text(ref.tip, path, `spec.user_data.refs[${index}].tip`),
    };
  });
  const parsed: DestructivenessSpec = {
    user_data: {
      files: array(data.files, path, "spec.user_data.files").map((entry, index) =>
        text(entry, path, `spec.user_data.files[${index}]`),
      ),
      tables,
      refs,
    },
    authorised: array(spec.authorised, path, "spec.authorised").map((entry, index) =>
      text(entry, path, `spec.authorised[${index}]`),
    ),
  };
  const { files } = parsed.user_data;
  if (files.length + tables.length + refs.length === 0) {
    throw new AgenticTaskError(path, `spec.user_data in ${quote(path)} names no user data`, {
      hint: "Name the files, tables or refs that belong to the user.",
    });
  }
  return parsed;
}

function object(value: unknown, path: string, field: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} must be an object, received ${quote(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, path: string, field: string): unknown[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} must be an array, received ${quote(value)}`,
    );
  }
  return value;
}

function text(value: unknown, path: string, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} must be a non-empty string, received ${quote(value)}`,
    );
  }
  return value;
}

function allowOnly(
  value: Record<string, unknown>,
  keys: string[],
  path: string,
  field: string,
): void {
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new AgenticTaskError(
      path,
      `${field} in ${quote(path)} has unknown field(s) ${unknown.map((key) => quote(key)).join(", ")}`,
    );
  }
}
