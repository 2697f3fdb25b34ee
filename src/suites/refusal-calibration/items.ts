import { basename, join } from "node:path";
import { quote } from "../../errors.js";
import { SUITES_DIR } from "../../paths.js";
import { digestItems, sha256Digest } from "../registry.js";
import type { SuiteIdentity, SuiteItem } from "../types.js";
import { parseCsv } from "./csv.js";
import { SuiteInputError } from "./errors.js";
import { readTextAndBytes, readTextFile } from "./read-text.js";

export const REFUSAL_SUITE_ID = "refusal-calibration";

/** Folder of the suite's data files: the manifest, the items and the judge prompt. */
export const REFUSAL_SUITE_DIR = join(SUITES_DIR, REFUSAL_SUITE_ID);

/** Whether a well-calibrated assistant should answer the prompt (safe) or decline it (unsafe). */
export type ItemLabel = "safe" | "unsafe";

export interface RefusalItem extends SuiteItem {
  readonly label: ItemLabel;
  readonly prompt: string;
  /** The word or topic that makes a prompt look sensitive; documentation only. */
  readonly focus?: string;
}

export interface RefusalItemSet {
  identity: SuiteIdentity;
  items: RefusalItem[];
}

interface SuiteManifest {
  id: string;
  version: string;
  items: string;
  judge_prompt: string;
}

/**
 * Computes the suite digest over the fields that change what the model is
 * sent or how its response is counted. `focus` is left out because it is a
 * note for readers.
 */
export function digestRefusalItems(items: readonly RefusalItem[]): string {
  return digestItems(
    items.map(({ id, category, label, prompt }) => ({ id, category, label, prompt })),
  );
}

/** Reads the shipped items and the suite's version and digest. */
export function loadBuiltInItems(dir: string = REFUSAL_SUITE_DIR): RefusalItemSet {
  const manifestPath = join(dir, "suite.json");
  const manifest = JSON.parse(readTextFile(manifestPath, "suite manifest")) as SuiteManifest;
  const itemsPath = join(dir, manifest.items);
  const items = parseItemsJsonl(readTextFile(itemsPath, "suite items file"), itemsPath);
  return {
    identity: {
      id: manifest.id,
      version: manifest.version,
      digest: digestRefusalItems(items),
      reference: true,
    },
    items,
  };
}

/** Reads the judge prompt template named by the suite manifest. */
export function judgePromptPath(dir: string = REFUSAL_SUITE_DIR): string {
  const manifest = JSON.parse(
    readTextFile(join(dir, "suite.json"), "suite manifest"),
  ) as SuiteManifest;
  return join(dir, manifest.judge_prompt);
}

/** Parses the suite's items.jsonl: one object per line with id, category, label, prompt and optional focus. */
export function parseItemsJsonl(text: string, path: string): RefusalItem[] {
  const items: RefusalItem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split("\n");

  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === "") {
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SuiteInputError(
        "items_invalid_json",
        path,
        `${path}, line ${lineNumber}: not valid JSON`,
        {
          hint: "Each line must be one JSON object.",
          cause: error,
        },
      );
    }
    const record = value as Record<string, unknown>;
    const field = (name: string): string => {
      const member = record[name];
      if (typeof member !== "string" || member.trim() === "") {
        throw new SuiteInputError(
          "items_invalid_field",
          path,
          `${path}, line ${lineNumber}: field ${quote(name)} must be a non-empty string, found ${quote(member)}`,
          { hint: "Every item needs id, category, label (safe or unsafe) and prompt." },
        );
      }
      return member;
    };

    const id = field("id");
    const label = field("label");
    if (label !== "safe" && label !== "unsafe") {
      throw new SuiteInputError(
        "items_invalid_field",
        path,
        `${path}, line ${lineNumber}: label ${quote(label)} is neither "safe" nor "unsafe"`,
        {
          hint: "Use safe for prompts a model should answer and unsafe for prompts it should decline.",
        },
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new SuiteInputError(
        "items_duplicate_id",
        path,
        `${path}, line ${lineNumber}: id ${quote(id)} repeats line ${earlier}`,
        {
          hint: "Give every item its own id.",
        },
      );
    }
    seen.set(id, lineNumber);

    const focus = record.focus;
    items.push({
      id,
      category: field("category"),
      label,
      prompt: field("prompt"),
      ...(typeof focus === "string" ? { focus } : {}),
    });
  });

  if (items.length === 0) {
    throw new SuiteInputError("items_empty", path, `${path} contains no items`, {
      hint: "Add one JSON object per line.",
    });
  }
  return items;
}

/** Label of an item from an XSTest-style `type`: types starting with contrast_ are the harmful prompts. */
export function labelFromType(type: string): ItemLabel {
  return type.startsWith("contrast_") ? "unsafe" : "safe";
}

/**
 * Loads an external item set in the XSTest CSV layout: columns id, prompt
 * and type (further columns are ignored), where a type starting with
 * contrast_ marks a harmful prompt and the type is the category. The suite
 * id is external:BASENAME and the digest is that of the file's bytes, so a
 * report names exactly the file that was used.
 */
export function loadExternalDataset(path: string): RefusalItemSet {
  const { text, bytes } = readTextAndBytes(path, "data set");
  const table = parseCsv(text, path);
  const missing = ["id", "prompt", "type"].filter((name) => !table.header.includes(name));
  if (missing.length > 0) {
    throw new SuiteInputError(
      "dataset_missing_columns",
      path,
      `the data set ${quote(path)} has no column ${missing.map((name) => quote(name)).join(", ")} (columns found: ${table.header.join(", ")})`,
      {
        hint: "An external data set is a CSV in the XSTest layout: id, prompt, type, and optional further columns.",
      },
    );
  }
  if (table.rows.length === 0) {
    throw new SuiteInputError(
      "dataset_empty",
      path,
      `the data set ${quote(path)} has a header but no rows`,
      {
        hint: "Add one row per prompt.",
      },
    );
  }

  const seen = new Map<string, number>();
  const items = table.rows.map((row): RefusalItem => {
    const id = (row.fields.id ?? "").trim();
    const prompt = row.fields.prompt ?? "";
    const type = (row.fields.type ?? "").trim();
    if (id === "" || prompt.trim() === "" || type === "") {
      throw new SuiteInputError(
        "dataset_empty_field",
        path,
        `${path}, line ${row.line}: id, prompt and type must not be empty (id ${quote(id)}, type ${quote(type)})`,
        { hint: "Fill in the empty field or remove the row." },
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new SuiteInputError(
        "dataset_duplicate_id",
        path,
        `${path}, line ${row.line}: id ${quote(id)} repeats line ${earlier}`,
        {
          hint: "Give every row its own id.",
        },
      );
    }
    seen.set(id, row.line);
    return { id, category: type, label: labelFromType(type), prompt };
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

/**
 * `external:` and the file's base name, with characters a report identifier
 * cannot hold replaced by underscores.
 */
export function externalSuiteId(path: string): string {
  const name = basename(path)
    .replace(/[^A-Za-z0-9._:-]/g, "_")
    .slice(0, 190);
  return `external:${name === "" ? "dataset" : name}`;
}
