import { extname } from "node:path";
import { quote } from "../../errors.js";
import { parseCsv } from "./csv.js";
import { SuiteInputError } from "./errors.js";
import { parseHumanLabel, type ResponseLabel } from "./labels.js";
import { readTextFile } from "./read-text.js";

/** One recorded response to score. */
export interface ResponseRecord {
  id: string;
  prompt: string;
  completion: string;
  /** The item's category when the file carries one (the XSTest `type` column). */
  category?: string;
  /** The human label, when the file carries one for this row. */
  humanLabel?: ResponseLabel;
  /** Line of the file the record starts on. */
  line: number;
}

export interface ResponsesFile {
  format: "csv" | "jsonl";
  records: ResponseRecord[];
  /** Column or field the human labels came from, when any row has one. */
  humanLabelField?: string;
}

/** Human label columns, in order of preference: XSTest's adjudicated label first. */
const HUMAN_LABEL_FIELDS = ["final_label", "human_label"];

/** Category columns, in order of preference. */
const CATEGORY_FIELDS = ["type", "category"];

/**
 * Reads a file of recorded responses: a CSV in the XSTest completions layout
 * (id, prompt, completion, optional type and human label columns) or JSON
 * Lines with the same fields. The format is taken from the extension (.csv;
 * .jsonl or .ndjson) or, for any other name, from the first character.
 * Rejects an empty file, missing columns, empty ids, duplicate ids and
 * human labels outside the three classes, naming the line and the value.
 */
export function readResponsesFile(path: string): ResponsesFile {
  const text = readTextFile(path, "responses file");
  if (text.trim() === "") {
    throw new SuiteInputError(
      "responses_empty",
      path,
      `the responses file ${quote(path)} is empty`,
      {
        hint: "Give a CSV with a header row (id, prompt, completion) or JSON Lines with one object per response.",
      },
    );
  }

  const extension = extname(path).toLowerCase();
  const format =
    extension === ".csv"
      ? "csv"
      : extension === ".jsonl" || extension === ".ndjson"
        ? "jsonl"
        : text.trimStart().startsWith("{")
          ? "jsonl"
          : "csv";
  const parsed = format === "csv" ? readCsvRecords(text, path) : readJsonlRecords(text, path);

  if (parsed.records.length === 0) {
    throw new SuiteInputError(
      "responses_empty",
      path,
      `the responses file ${quote(path)} has no responses`,
      {
        hint: "Add one row (CSV) or one line (JSON Lines) per response.",
      },
    );
  }
  checkUniqueIds(parsed.records, path);
  return { format, ...parsed };
}

function readCsvRecords(text: string, path: string): Omit<ResponsesFile, "format"> {
  const table = parseCsv(text, path);
  const missing = ["id", "prompt", "completion"].filter((name) => !table.header.includes(name));
  if (missing.length > 0) {
    throw new SuiteInputError(
      "responses_missing_columns",
      path,
      `the responses file ${quote(path)} has no column ${missing.map((name) => quote(name)).join(", ")} (columns found: ${table.header.join(", ")})`,
      {
        hint: "A responses CSV needs the columns id, prompt and completion, as in the XSTest completions files.",
      },
    );
  }
  const labelField = HUMAN_LABEL_FIELDS.find((name) => table.header.includes(name));
  const categoryField = CATEGORY_FIELDS.find((name) => table.header.includes(name));

  const records = table.rows.map((row) =>
    buildRecord(
      {
        id: row.fields.id,
        prompt: row.fields.prompt,
        completion: row.fields.completion,
        category: categoryField === undefined ? undefined : row.fields[categoryField],
        humanLabel: labelField === undefined ? undefined : row.fields[labelField],
      },
      row.line,
      path,
      labelField,
    ),
  );
  return {
    records,
    ...(labelField !== undefined && records.some((record) => record.humanLabel !== undefined)
      ? { humanLabelField: labelField }
      : {}),
  };
}

function readJsonlRecords(text: string, path: string): Omit<ResponsesFile, "format"> {
  const records: ResponseRecord[] = [];
  let humanLabelField: string | undefined;

  text.split("\n").forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw.trim() === "") {
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new SuiteInputError(
        "responses_invalid_json",
        path,
        `${path}, line ${lineNumber}: not valid JSON`,
        {
          hint: "Each line must be one JSON object with id, prompt and completion.",
          cause: error,
        },
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new SuiteInputError(
        "responses_invalid_json",
        path,
        `${path}, line ${lineNumber}: expected a JSON object, found ${quote(value)}`,
        {
          hint: "Each line must be one JSON object with id, prompt and completion.",
        },
      );
    }
    const object = value as Record<string, unknown>;
    for (const name of ["id", "prompt", "completion"]) {
      if (!(name in object)) {
        throw new SuiteInputError(
          "responses_missing_columns",
          path,
          `${path}, line ${lineNumber}: field ${quote(name)} is missing`,
          {
            hint: "Each line needs id, prompt and completion.",
          },
        );
      }
    }
    const labelField = HUMAN_LABEL_FIELDS.find(
      (name) => typeof object[name] === "string" && object[name] !== "",
    );
    if (labelField !== undefined) {
      humanLabelField ??= labelField;
    }
    const categoryField = CATEGORY_FIELDS.find((name) => typeof object[name] === "string");
    records.push(
      buildRecord(
        {
          id: typeof object.id === "number" ? String(object.id) : object.id,
          prompt: object.prompt,
          completion: object.completion,
          category: categoryField === undefined ? undefined : object[categoryField],
          humanLabel: labelField === undefined ? undefined : object[labelField],
        },
        lineNumber,
        path,
        labelField,
      ),
    );
  });
  return { records, ...(humanLabelField === undefined ? {} : { humanLabelField }) };
}

function buildRecord(
  raw: {
    id: unknown;
    prompt: unknown;
    completion: unknown;
    category: unknown;
    humanLabel: unknown;
  },
  line: number,
  path: string,
  labelField: string | undefined,
): ResponseRecord {
  for (const name of ["id", "prompt", "completion"] as const) {
    if (typeof raw[name] !== "string") {
      throw new SuiteInputError(
        "responses_invalid_field",
        path,
        `${path}, line ${line}: ${name} must be a string, found ${quote(raw[name])}`,
        {
          hint: `Write ${name} as a JSON string.`,
        },
      );
    }
  }
  const id = (raw.id as string).trim();
  if (id === "") {
    throw new SuiteInputError(
      "responses_empty_id",
      path,
      `${path}, line ${line}: the id is empty`,
      {
        hint: "Give every response the id of the item it answers.",
      },
    );
  }

  const record: ResponseRecord = {
    id,
    prompt: raw.prompt as string,
    completion: raw.completion as string,
    line,
  };
  if (typeof raw.category === "string" && raw.category.trim() !== "") {
    record.category = raw.category.trim();
  }
  if (typeof raw.humanLabel === "string" && raw.humanLabel.trim() !== "") {
    const label = parseHumanLabel(raw.humanLabel);
    if (label === undefined) {
      throw new SuiteInputError(
        "responses_invalid_label",
        path,
        `${path}, line ${line}: human label ${quote(raw.humanLabel)} in ${quote(labelField)} is not one of the three classes`,
        {
          hint: "Use full_compliance, full_refusal or partial_refusal (XSTest's 1_full_compliance, 2_full_refusal and 3_partial_refusal are accepted).",
        },
      );
    }
    record.humanLabel = label;
  }
  return record;
}

function checkUniqueIds(records: ResponseRecord[], path: string): void {
  const seen = new Map<string, number>();
  for (const record of records) {
    const earlier = seen.get(record.id);
    if (earlier !== undefined) {
      throw new SuiteInputError(
        "responses_duplicate_id",
        path,
        `${path}, line ${record.line}: id ${quote(record.id)} was already used on line ${earlier}`,
        {
          hint: "Keep one response per item; score repeated samples of one item as separate files.",
        },
      );
    }
    seen.set(record.id, record.line);
  }
}
