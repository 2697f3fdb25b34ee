import { quote } from "../../errors.js";
import { readTextAndBytes } from "../refusal-calibration/read-text.js";
import { sha256Digest } from "../registry.js";
import { HaluEvalInputError } from "./errors.js";

/** Reason a record has no label to count. */
export type HaluEvalUnscoredReason =
  | "invalid_json"
  | "not_an_object"
  | "response_missing"
  | "label_missing"
  | "label_invalid";

/** One record of a HaluEval general file as imported: one line of samples.jsonl. */
export interface HaluEvalOutcome {
  /** The record's ID when it is non-empty and unique in the file, else line-N. */
  id: string;
  /** The ID as written in the file; absent when the record has none. */
  source_id?: string;
  /** Line number in a JSON Lines file, or 1-based element number in a JSON array. */
  position: number;
  /** The human label as written, for example "yes"; null when absent. */
  label: string | null;
  /** True for a yes label (the response contains hallucinated content); null when unscored. */
  unsupported_claim: boolean | null;
  unscored_reason?: HaluEvalUnscoredReason;
  /** Length of the response in Unicode code points, for the breakdown by length. */
  response_chars?: number;
  /** sha256 of the response text, so an outcome can be matched to its record without copying the text. */
  response_digest?: string;
}

export interface HaluEvalFile {
  format: "jsonl" | "json_array";
  /** sha256 of the file's bytes. */
  digest: string;
  outcomes: HaluEvalOutcome[];
  /** Records whose ID was empty, missing or a repeat, keyed line-N instead. */
  rekeyed: number;
}

/** Fields read from each record; HaluEval's README calls the label hallucination_label, its file hallucination. */
const ID_FIELDS = ["ID", "id"];
const LABEL_FIELDS = ["hallucination", "hallucination_label"];
const RESPONSE_FIELD = "chatgpt_response";

/**
 * Reads a HaluEval general_data.json file. Despite its name the published
 * file is JSON Lines (one object per line), and a file whose first character
 * is `[` is read as one JSON array instead. Each record becomes one outcome.
 * A yes or no label (any case, surrounding space ignored) is scored. A record
 * with another label, no label or no response text, and a line that is not
 * a JSON object, are kept as unscored with their reason. IDs that are empty,
 * missing or repeated (the published file has an empty one and "ID" twice)
 * are replaced by line-N, so every outcome has a unique id.
 */
export function readHaluEvalFile(path: string): HaluEvalFile {
  const { text, bytes } = readTextAndBytes(path, "HaluEval file");
  if (text.trim() === "") {
    throw new HaluEvalInputError(
      "halueval_empty",
      path,
      `the HaluEval file ${quote(path)} is empty`,
      {
        hint: "Give HaluEval's general_data.json: one JSON object per line with ID, user_query, chatgpt_response and hallucination.",
      },
    );
  }

  const format = text.trimStart().startsWith("[") ? "json_array" : "jsonl";
  const entries: { position: number; value: unknown; invalid: boolean }[] = [];
  if (format === "json_array") {
    let array: unknown;
    try {
      array = JSON.parse(text);
    } catch (error) {
      throw new HaluEvalInputError(
        "halueval_invalid_json",
        path,
        `the HaluEval file ${quote(path)} starts with [ but is not a valid JSON array`,
        {
          hint: "Give one JSON array of records, or JSON Lines with one record per line.",
          cause: error,
        },
      );
    }
    if (!Array.isArray(array)) {
      throw new HaluEvalInputError(
        "halueval_invalid_json",
        path,
        `the HaluEval file ${quote(path)} is not a JSON array`,
        {
          hint: "Give one JSON array of records, or JSON Lines with one record per line.",
        },
      );
    }
    array.forEach((value, index) => {
      entries.push({ position: index + 1, value, invalid: false });
    });
  } else {
    text.split("\n").forEach((raw, index) => {
      if (raw.trim() === "") {
        return;
      }
      try {
        entries.push({ position: index + 1, value: JSON.parse(raw), invalid: false });
      } catch {
        entries.push({ position: index + 1, value: undefined, invalid: true });
      }
    });
  }

  const used = new Set<string>();
  let rekeyed = 0;
  const outcomes = entries.map((entry): HaluEvalOutcome => {
    const record =
      entry.value !== null && typeof entry.value === "object" && !Array.isArray(entry.value)
        ? (entry.value as Record<string, unknown>)
        : undefined;
    const sourceId = record === undefined ? undefined : readId(record);
    let id = sourceId ?? "";
    if (id === "" || used.has(id)) {
      id = uniqueLineId(entry.position, used);
      rekeyed++;
    }
    used.add(id);
    const base = {
      id,
      ...(sourceId === undefined ? {} : { source_id: sourceId }),
      position: entry.position,
    };

    if (record === undefined) {
      return {
        ...base,
        label: null,
        unsupported_claim: null,
        unscored_reason: entry.invalid ? "invalid_json" : "not_an_object",
      };
    }
    const labelField = LABEL_FIELDS.find((name) => name in record);
    const rawLabel = labelField === undefined ? undefined : record[labelField];
    const label =
      typeof rawLabel === "string"
        ? rawLabel
        : rawLabel === undefined || rawLabel === null
          ? null
          : JSON.stringify(rawLabel);
    const normalised = typeof rawLabel === "string" ? rawLabel.trim().toLowerCase() : undefined;
    const response = record[RESPONSE_FIELD];

    let verdict: Pick<HaluEvalOutcome, "unsupported_claim" | "unscored_reason">;
    if (typeof response !== "string") {
      verdict = { unsupported_claim: null, unscored_reason: "response_missing" };
    } else if (normalised === "yes" || normalised === "no") {
      verdict = { unsupported_claim: normalised === "yes" };
    } else {
      verdict = {
        unsupported_claim: null,
        unscored_reason: label === null ? "label_missing" : "label_invalid",
      };
    }
    return {
      ...base,
      label,
      ...verdict,
      ...(typeof response === "string"
        ? { response_chars: [...response].length, response_digest: sha256Digest(response) }
        : {}),
    };
  });

  if (!outcomes.some((outcome) => outcome.unsupported_claim !== null)) {
    throw new HaluEvalInputError(
      "halueval_no_labels",
      path,
      `no record of ${quote(path)} (${outcomes.length} read) has a yes or no label in ${LABEL_FIELDS.join(" or ")} and a ${RESPONSE_FIELD}`,
      {
        hint: 'Give HaluEval\'s general_data.json; its records carry hallucination: "yes" or "no".',
      },
    );
  }
  return { format, digest: sha256Digest(bytes), outcomes, rekeyed };
}

function readId(record: Record<string, unknown>): string | undefined {
  for (const name of ID_FIELDS) {
    const value = record[name];
    if (typeof value === "string") {
      return value.trim();
    }
    if (typeof value === "number" && Number.isFinite(value)) {
      return String(value);
    }
  }
  return undefined;
}

function uniqueLineId(position: number, used: ReadonlySet<string>): string {
  let id = `line-${position}`;
  for (let suffix = 2; used.has(id); suffix++) {
    id = `line-${position}-${suffix}`;
  }
  return id;
}
