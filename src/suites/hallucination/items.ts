import { join } from "node:path";
import { quote } from "../../errors.js";
import { SUITES_DIR } from "../../paths.js";
import { parseCsv } from "../refusal-calibration/csv.js";
import { externalSuiteId } from "../refusal-calibration/items.js";
import { readTextAndBytes, readTextFile } from "../refusal-calibration/read-text.js";
import { digestItems, sha256Digest } from "../registry.js";
import { spreadSubset } from "../subset.js";
import type { SuiteIdentity, SuiteItem } from "../types.js";
import { HallucinationInputError } from "./errors.js";

export const HALLUCINATION_SUITE_ID = "hallucination";

/** Folder of the suite's data files: the manifest, both item files and both judge prompts. */
export const HALLUCINATION_SUITE_DIR = join(SUITES_DIR, HALLUCINATION_SUITE_ID);

/** A short fact-seeking question with one gold answer. */
export interface ClosedBookItem extends SuiteItem {
  readonly question: string;
  readonly answer: string;
  /** Other forms of the gold answer the grader accepts. */
  readonly aliases: readonly string[];
  /** common, or obscure where abstaining is a reasonable response; absent for external data sets. */
  readonly difficulty?: string;
}

/** An open-ended request with notes the judge checks claims against. */
export interface OpenEndedItem extends SuiteItem {
  readonly prompt: string;
  /** Facts, and where relevant the false premise or invented entity, that the judge checks the response against. */
  readonly reference: string;
}

export interface ItemSet<Item> {
  identity: SuiteIdentity;
  items: Item[];
}

interface PartManifest {
  items: string;
  judge_prompt: string;
}

interface SuiteManifest {
  id: string;
  version: string;
  closed_book: PartManifest;
  open_ended: PartManifest;
}

function readManifest(dir: string): SuiteManifest {
  const path = join(dir, "suite.json");
  return JSON.parse(readTextFile(path, "suite manifest")) as SuiteManifest;
}

/** One part's shipped items with the reference identity: the manifest's id and version and the items' digest. */
function shippedItemSet<Item extends SuiteItem>(
  manifest: SuiteManifest,
  items: Item[],
): ItemSet<Item> {
  return {
    identity: {
      id: manifest.id,
      version: manifest.version,
      digest: digestItems(items),
      reference: true,
    },
    items,
  };
}

/** Paths of the two judge prompt templates named by the manifest. */
export function judgePromptPaths(dir: string = HALLUCINATION_SUITE_DIR): {
  closedBook: string;
  openEnded: string;
} {
  const manifest = readManifest(dir);
  return {
    closedBook: join(dir, manifest.closed_book.judge_prompt),
    openEnded: join(dir, manifest.open_ended.judge_prompt),
  };
}

/**
 * Reads the shipped closed-book questions. The digest covers every field of
 * every item, because each one (the aliases and difficulty included)
 * reaches the judge or a breakdown.
 */
export function loadClosedBookItems(
  dir: string = HALLUCINATION_SUITE_DIR,
): ItemSet<ClosedBookItem> {
  const manifest = readManifest(dir);
  const path = join(dir, manifest.closed_book.items);
  const items = readJsonlItems(path, (field, record) => {
    const aliases = record.aliases ?? [];
    if (
      !Array.isArray(aliases) ||
      aliases.some((alias) => typeof alias !== "string" || alias.trim() === "")
    ) {
      throw field.invalid("aliases", aliases, "aliases must be a list of non-empty strings");
    }
    return {
      id: field.text("id"),
      category: field.text("category"),
      difficulty: field.text("difficulty"),
      question: field.text("question"),
      answer: field.text("answer"),
      aliases: aliases as string[],
    };
  });
  return shippedItemSet(manifest, items);
}

/**
 * Reads the shipped open-ended requests. Their digest is separate from the
 * closed-book digest, so a change to one item set leaves the other set's
 * results comparable.
 */
export function loadOpenEndedItems(dir: string = HALLUCINATION_SUITE_DIR): ItemSet<OpenEndedItem> {
  const manifest = readManifest(dir);
  const path = join(dir, manifest.open_ended.items);
  const items = readJsonlItems(path, (field) => ({
    id: field.text("id"),
    category: field.text("category"),
    prompt: field.text("prompt"),
    reference: field.text("reference"),
  }));
  return shippedItemSet(manifest, items);
}

interface FieldReader {
  text(name: string): string;
  invalid(name: string, value: unknown, why: string): HallucinationInputError;
}

/** Reads a JSON Lines file of items, one object per line, rejecting invalid lines and duplicate ids. */
function readJsonlItems<Item extends SuiteItem>(
  path: string,
  build: (field: FieldReader, record: Record<string, unknown>) => Item,
): Item[] {
  const text = readTextFile(path, "suite items file");
  const items: Item[] = [];
  const seen = new Map<string, number>();

  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") {
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new HallucinationInputError(
        "items_invalid_json",
        path,
        `${path}, line ${line}: not valid JSON`,
        {
          hint: "Each line must be one JSON object.",
          cause: error,
        },
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new HallucinationInputError(
        "items_invalid_json",
        path,
        `${path}, line ${line}: expected a JSON object, found ${quote(value)}`,
        {
          hint: "Each line must be one JSON object.",
        },
      );
    }
    const record = value as Record<string, unknown>;
    const field: FieldReader = {
      invalid: (name, member, why) =>
        new HallucinationInputError(
          "items_invalid_field",
          path,
          `${path}, line ${line}: field ${quote(name)} is ${quote(member)}; ${why}`,
          {
            hint: "Fix the field or remove the line.",
          },
        ),
      text(name) {
        const member = record[name];
        if (typeof member !== "string" || member.trim() === "") {
          throw field.invalid(name, member, "it must be a non-empty string");
        }
        return member;
      },
    };

    const item = build(field, record);
    const earlier = seen.get(item.id);
    if (earlier !== undefined) {
      throw new HallucinationInputError(
        "items_duplicate_id",
        path,
        `${path}, line ${line}: id ${quote(item.id)} repeats line ${earlier}`,
        {
          hint: "Give every item its own id.",
        },
      );
    }
    seen.set(item.id, line);
    items.push(item);
  });

  if (items.length === 0) {
    throw new HallucinationInputError("items_empty", path, `${path} contains no items`, {
      hint: "Add one JSON object per line.",
    });
  }
  return items;
}

/**
 * Keeps `limit` items of a set, spread over its categories. A shorter set is no longer the
 * reference suite, and its digest is that of the items kept.
 */
export function limitItems<Item extends SuiteItem>(
  set: ItemSet<Item>,
  limit: number | undefined,
): ItemSet<Item> {
  if (limit === undefined || limit >= set.items.length) {
    return set;
  }
  const items = spreadSubset(set.items, limit);
  return { identity: { ...set.identity, digest: digestItems(items), reference: false }, items };
}

/** Category of rows whose metadata names no topic. */
export const UNCATEGORISED = "uncategorised";

/**
 * Loads closed-book questions in the SimpleQA CSV layout: columns
 * `metadata`, `problem` and `answer` (metadata optional, further columns
 * ignored). The category is the `topic` in the metadata, a Python or JSON
 * dictionary literal. Rows have no ids in that layout, so an item's id is
 * `row-N` for the N-th data row, unless the file has an `id` column. The
 * suite id is external:BASENAME and the digest is that of the file's bytes,
 * so the report names exactly the file used.
 */
export function loadSimpleQaDataset(path: string): ItemSet<ClosedBookItem> {
  const { text, bytes } = readTextAndBytes(path, "data set");
  const table = parseCsv(text, path);
  const missing = ["problem", "answer"].filter((name) => !table.header.includes(name));
  if (missing.length > 0) {
    throw new HallucinationInputError(
      "dataset_missing_columns",
      path,
      `the data set ${quote(path)} has no column ${missing.map((name) => quote(name)).join(", ")} (columns found: ${table.header.join(", ")})`,
      {
        hint: "A closed-book data set is a CSV in the SimpleQA layout: metadata, problem, answer.",
      },
    );
  }
  if (table.rows.length === 0) {
    throw new HallucinationInputError(
      "dataset_empty",
      path,
      `the data set ${quote(path)} has a header but no rows`,
      {
        hint: "Add one row per question.",
      },
    );
  }

  const hasIds = table.header.includes("id");
  const width = String(table.rows.length).length;
  const seen = new Map<string, number>();
  const items = table.rows.map((row, index): ClosedBookItem => {
    const id = hasIds
      ? (row.fields.id ?? "").trim()
      : `row-${String(index + 1).padStart(width, "0")}`;
    const question = (row.fields.problem ?? "").trim();
    const answer = (row.fields.answer ?? "").trim();
    if (id === "" || question === "" || answer === "") {
      throw new HallucinationInputError(
        "dataset_empty_field",
        path,
        `${path}, line ${row.line}: id, problem and answer must not be empty (id ${quote(id)}, answer ${quote(answer)})`,
        { hint: "Fill in the empty field or remove the row." },
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new HallucinationInputError(
        "dataset_duplicate_id",
        path,
        `${path}, line ${row.line}: id ${quote(id)} repeats line ${earlier}`,
        {
          hint: "Give every row its own id.",
        },
      );
    }
    seen.set(id, row.line);
    return {
      id,
      category: metadataTopic(row.fields.metadata ?? "") ?? UNCATEGORISED,
      question,
      answer,
      aliases: [],
    };
  });

  return {
    identity: {
      id: externalSuiteId(path),
      version: "file",
      digest: sha256Digest(bytes),
      reference: false,
    },
    items,
  };
}

/** Returns the `topic` value of a SimpleQA metadata cell such as {'topic': 'Art', 'answer_type': 'Person'}. */
export function metadataTopic(metadata: string): string | undefined {
  const match = /["']topic["']\s*:\s*(["'])(.*?)\1/.exec(metadata);
  const topic = match?.[2]?.trim();
  return topic === undefined || topic === "" ? undefined : topic;
}
