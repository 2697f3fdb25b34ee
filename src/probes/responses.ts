import { quote } from "../errors.js";
import { type ActivationIndex, unitKey } from "./activation-index.js";
import { ActivationIndexError } from "./errors.js";

/** One response: the activation rows of its response tokens and its label. */
export interface ResponseUnit {
  key: string;
  transcriptId: string;
  responseId: string | null;
  label: string | null;
  set: string | null;
  /** Row numbers of the tokens with in_response true, in index order. */
  rows: number[];
}

/**
 * Groups index rows into responses, in order of first appearance, keeping
 * only response tokens. Every token of one response must carry the same label
 * and set. A response with no response token is dropped, since it has no score.
 * `sets`, when given, keeps only responses whose set is listed.
 */
export function groupResponses(index: ActivationIndex, sets?: readonly string[]): ResponseUnit[] {
  const units = new Map<string, ResponseUnit>();
  for (let row = 0; row < index.rows.length; row++) {
    const entry = index.rows[row];
    if (entry === undefined) {
      continue;
    }
    const key = unitKey(entry);
    let unit = units.get(key);
    if (unit === undefined) {
      unit = {
        key,
        transcriptId: entry.transcriptId,
        responseId: entry.responseId,
        label: entry.label,
        set: entry.set,
        rows: [],
      };
      units.set(key, unit);
    }
    if (entry.set !== unit.set) {
      throw inconsistent(index.path, row, entry.transcriptId, "set", unit.set, entry.set);
    }
    if (!entry.inResponse) {
      continue;
    }
    if (unit.rows.length === 0) {
      unit.label = entry.label;
    } else if (entry.label !== unit.label) {
      throw inconsistent(index.path, row, entry.transcriptId, "label", unit.label, entry.label);
    }
    unit.rows.push(row);
  }
  const selected = [...units.values()].filter((unit) => unit.rows.length > 0);
  return sets === undefined
    ? selected
    : selected.filter((unit) => unit.set !== null && sets.includes(unit.set));
}

function inconsistent(
  path: string,
  row: number,
  transcriptId: string,
  field: string,
  first: string | null,
  other: string | null,
): ActivationIndexError {
  return new ActivationIndexError(
    "probe.index.inconsistent_response",
    path,
    `line ${row + 1} of activation index ${quote(path)} gives ${field} ${quote(other)} for a response of transcript ${quote(transcriptId)} whose earlier tokens have ${quote(first)}`,
    {
      hint: `Every response token of one response must have the same ${field}; give separate responses a response_id.`,
    },
  );
}
