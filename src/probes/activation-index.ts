import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { quote } from "../errors.js";
import { ActivationIndexError } from "./errors.js";

/**
 * One row of an activation index: which token of which response the
 * activation row at the same position belongs to. On disk each row is one
 * JSON object per line:
 *
 *   {"transcript_id": "t-17", "token_position": 42, "in_response": true,
 *    "label": "deceptive", "set": "train"}
 *
 * `response_id` is optional and distinguishes several responses (turns) of one
 * transcript. `label` and `set` may be null or absent. Other keys are ignored.
 */
export interface IndexRow {
  transcriptId: string;
  responseId: string | null;
  tokenPosition: number;
  inResponse: boolean;
  label: string | null;
  set: string | null;
}

/** A parsed index with the digest of its exact bytes. */
export interface ActivationIndex {
  path: string;
  rows: IndexRow[];
  /** Lowercase hex sha256 of the index file's bytes. */
  sha256: string;
  bytes: number;
  /** The raw bytes, kept so a training-set digest can cover them. */
  content: Buffer;
}

/** Reads and validates an index file; each line must describe one activation row. */
export function readActivationIndex(path: string): ActivationIndex {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new ActivationIndexError(
      "probe.index.unreadable",
      path,
      `cannot read activation index ${quote(path)}: ${(error as Error).message}`,
      { hint: "Check the path and the file's permissions.", cause: error },
    );
  }
  const rows = parseIndexLines(path, content.toString("utf8"));
  return {
    path,
    rows,
    sha256: createHash("sha256").update(content).digest("hex"),
    bytes: content.length,
    content,
  };
}

export function parseIndexLines(path: string, text: string): IndexRow[] {
  const rows: IndexRow[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  // A final newline leaves one empty string; any other empty line is an error.
  if (lines.at(-1) === "") {
    lines.pop();
  }
  for (let i = 0; i < lines.length; i++) {
    const row = parseIndexLine(path, i + 1, lines[i] as string);
    const key = `${unitKey(row)}\u0000${row.tokenPosition}`;
    if (seen.has(key)) {
      throw lineError(
        path,
        i + 1,
        `token_position ${row.tokenPosition} of transcript ${quote(row.transcriptId)} appears twice`,
      );
    }
    seen.add(key);
    rows.push(row);
  }
  return rows;
}

function parseIndexLine(path: string, line: number, text: string): IndexRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw lineError(path, line, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw lineError(path, line, "not a JSON object");
  }
  const record = value as Record<string, unknown>;

  const transcriptId = record.transcript_id;
  if (typeof transcriptId !== "string" || transcriptId === "") {
    throw lineError(path, line, `transcript_id is ${quote(transcriptId)}, not a non-empty string`);
  }
  const responseId = record.response_id ?? null;
  if (responseId !== null && typeof responseId !== "string") {
    throw lineError(path, line, `response_id is ${quote(responseId)}, not a string or null`);
  }

  const tokenPosition = record.token_position;
  if (!Number.isSafeInteger(tokenPosition) || (tokenPosition as number) < 0) {
    throw lineError(path, line, `token_position is ${quote(tokenPosition)}, not an integer ≥ 0`);
  }
  const inResponse = record.in_response;
  if (typeof inResponse !== "boolean") {
    throw lineError(path, line, `in_response is ${quote(inResponse)}, not true or false`);
  }

  const label = record.label ?? null;
  if (label !== null && (typeof label !== "string" || label === "")) {
    throw lineError(path, line, `label is ${quote(label)}, not a non-empty string or null`);
  }
  const set = record.set ?? null;
  if (set !== null && (typeof set !== "string" || set === "")) {
    throw lineError(path, line, `set is ${quote(set)}, not a non-empty string or null`);
  }

  return {
    transcriptId,
    responseId,
    tokenPosition: tokenPosition as number,
    inResponse,
    label,
    set,
  };
}

function lineError(path: string, line: number, detail: string): ActivationIndexError {
  return new ActivationIndexError(
    "probe.index.invalid",
    path,
    `line ${line} of activation index ${quote(path)}: ${detail}`,
    {
      hint: 'Each line must be an object like {"transcript_id": "t1", "token_position": 0, "in_response": true, "label": "honest", "set": "train"}.',
    },
  );
}

/** Key of the response a row belongs to: its transcript and, when given, its response id. */
export function unitKey(row: IndexRow): string {
  return row.responseId === null ? row.transcriptId : `${row.transcriptId}\u0000${row.responseId}`;
}

/** Checks that an index has exactly one line per activation row. */
export function checkIndexMatches(
  index: ActivationIndex,
  activationsPath: string,
  rows: number,
): void {
  if (index.rows.length !== rows) {
    throw new ActivationIndexError(
      "probe.index.row_count",
      index.path,
      `activation index ${quote(index.path)} has ${index.rows.length} lines, but ${quote(activationsPath)} has ${rows} rows`,
      {
        hint: "The index must have one line per activation row, in the same order; check that the two files belong together.",
      },
    );
  }
}
