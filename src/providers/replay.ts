/**
 * Provider that returns recorded completions instead of calling a model, so a
 * run can be repeated offline and a scorer can be tested on real outputs.
 *
 * Lookup contract: each request must carry `metadata.itemId`, and the reply
 * is the recorded completion whose `id` equals it. A request without an item
 * id, or with one the file does not hold, fails with a non-retryable
 * `ProviderError` (code provider_replay_missing), which the run records as an
 * error for that item.
 *
 * File formats, chosen by extension (.csv, else JSON Lines):
 * - CSV with a header row holding `id` and `completion` columns (the XSTest
 *   completions layout); other columns are ignored.
 * - JSON Lines, one object per line with `id` (string or number) and
 *   `completion` (string), and optionally `model`.
 * The whole file is read into memory when the provider is created.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { InputOutputError, quote } from "../errors.js";
import { CsvSyntaxError, parseCsv } from "./csv.js";
import { ProviderError } from "./errors.js";
import type { ChatRequest, ChatResponse, Provider } from "./types.js";

export interface RecordedCompletion {
  completion: string;
  model?: string;
}

export interface ReplayProviderOptions {
  /** Path to the recorded completions, resolved against `cwd`. */
  file: string;
  cwd?: string;
}

export function createReplayProvider(options: ReplayProviderOptions): Provider {
  const path = resolve(options.cwd ?? ".", options.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputOutputError(
      "replay_unreadable",
      path,
      `cannot read replay file ${quote(path)}`,
      {
        hint: "Give the path to a CSV or JSONL file of recorded completions.",
        cause: error,
      },
    );
  }

  const records = loadRecords(path, bytes.toString("utf8"));
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const id = `replay:${options.file}`;

  return {
    id,
    endpoint: `replay ${path} ${digest}`,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      request.signal?.throwIfAborted();

      const itemId = request.metadata?.itemId;
      if (itemId === undefined) {
        throw new ProviderError(
          "provider_replay_missing",
          `${id}: the request carries no item id to look up`,
          {
            retryable: false,
            hint: "Callers of the replay provider must set metadata.itemId on each request.",
          },
        );
      }
      const record = records.get(itemId);
      if (record === undefined) {
        throw new ProviderError(
          "provider_replay_missing",
          `${id}: no recorded completion for item ${quote(itemId)}`,
          { retryable: false, hint: `Record a row with id ${quote(itemId)} in ${path}.` },
        );
      }
      return {
        content: record.completion,
        toolCalls: [],
        finishReason: "stop",
        model: record.model ?? "replay",
      };
    },
  };
}

/** Reads recorded completions keyed by item id from CSV or JSON Lines text. */
export function loadRecords(path: string, text: string): Map<string, RecordedCompletion> {
  return extname(path).toLowerCase() === ".csv" ? loadCsv(path, text) : loadJsonLines(path, text);
}

function loadCsv(path: string, text: string): Map<string, RecordedCompletion> {
  let table: ReturnType<typeof parseCsv>;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw invalidFile(path, error.line, error.message);
    }
    throw error;
  }

  const idColumn = table.header.indexOf("id");
  const completionColumn = table.header.indexOf("completion");
  if (idColumn === -1 || completionColumn === -1) {
    throw invalidFile(
      path,
      1,
      `the header ${quote(table.header.join(","))} lacks an id or completion column`,
    );
  }

  const records = new Map<string, RecordedCompletion>();
  for (const row of table.rows) {
    const id = row.fields[idColumn] ?? "";
    addRecord(records, path, row.line, id, { completion: row.fields[completionColumn] ?? "" });
  }
  return records;
}

function loadJsonLines(path: string, text: string): Map<string, RecordedCompletion> {
  const records = new Map<string, RecordedCompletion>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw invalidFile(path, index + 1, `line is not valid JSON: ${quote(line)}`);
    }
    const row = value as Record<string, unknown>;
    const id = typeof row?.id === "number" ? String(row.id) : row?.id;
    if (typeof id !== "string" || typeof row.completion !== "string") {
      throw invalidFile(
        path,
        index + 1,
        "expected an object with a string or number id and a string completion",
      );
    }
    const record: RecordedCompletion = { completion: row.completion };
    if (typeof row.model === "string") {
      record.model = row.model;
    }
    addRecord(records, path, index + 1, id, record);
  }
  return records;
}

function addRecord(
  records: Map<string, RecordedCompletion>,
  path: string,
  line: number,
  id: string,
  record: RecordedCompletion,
): void {
  if (id === "") {
    throw invalidFile(path, line, "the item id is empty");
  }
  if (records.has(id)) {
    throw invalidFile(path, line, `item id ${quote(id)} appears twice`);
  }
  records.set(id, record);
}

function invalidFile(path: string, line: number, problem: string): InputOutputError {
  return new InputOutputError(
    "replay_invalid",
    path,
    `invalid replay file ${path}, line ${line}: ${problem}`,
    {
      hint: "A replay file is CSV with id and completion columns, or JSONL with id and completion fields.",
    },
  );
}
