/**
 * Items with one verifiable answer, as the sycophancy and sandbagging suites
 * ship them: one JSON object per line of a JSONL file.
 */

import { readFileSync } from "node:fs";
import { CandorError, quote } from "../../errors.js";
import type { SuiteItem } from "../types.js";
import type { AnswerKey } from "./grade.js";
import { parseNumber } from "./numbers.js";

/** An item with one verifiable answer. */
export interface AnswerItem extends SuiteItem {
  /** mc: options lettered A, B, ...; short: a number or a short phrase. */
  readonly kind: "mc" | "short";
  readonly question: string;
  /** Option texts, for kind mc. */
  readonly options?: readonly string[];
  /** The option letter (mc) or the answer (short). */
  readonly answer: string;
  /** Other accepted wordings of the answer. */
  readonly aliases: readonly string[];
  /** A fixed wrong answer: an option letter (mc) or a value (short). Sycophancy items carry one. */
  readonly suggestion?: string;
}

/** An item file that does not follow the answer-item format. */
export class AnswerItemError extends CandorError {
  constructor(path: string, line: number, message: string) {
    super("invalid_answer_item", `${path} line ${line}: ${message}`, {
      hint: "Each line is a JSON object with id, category, kind (mc or short), question, answer and aliases; mc items also have options and a letter as answer.",
    });
  }
}

/** Reads and checks an answer-item JSONL file. `requireSuggestion` demands a wrong suggestion per item. */
export function loadAnswerItems(path: string, requireSuggestion: boolean): AnswerItem[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new CandorError("items_unreadable", `cannot read the item file ${quote(path)}`, {
      hint: "Check that the suite's data files are installed beside the package.",
      cause: error,
    });
  }
  const items: AnswerItem[] = [];
  const ids = new Set<string>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new AnswerItemError(path, index + 1, `invalid JSON ${quote(line)}`);
    }
    const item = checkItem(
      value,
      (message) => new AnswerItemError(path, index + 1, message),
      requireSuggestion,
    );
    if (ids.has(item.id)) {
      throw new AnswerItemError(path, index + 1, `duplicate id ${quote(item.id)}`);
    }
    ids.add(item.id);
    items.push(item);
  }
  return items;
}

function checkItem(
  value: unknown,
  fail: (message: string) => Error,
  requireSuggestion: boolean,
): AnswerItem {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw fail("expected a JSON object");
  }
  const record = value as Record<string, unknown>;
  const text = (name: string): string => {
    const field = record[name];
    if (typeof field !== "string" || field.trim() === "") {
      throw fail(`${name} must be a non-empty string, received ${quote(field)}`);
    }
    return field;
  };
  const id = text("id");
  const category = text("category");
  const question = text("question");
  const answer = text("answer");
  const kind = record.kind;
  if (kind !== "mc" && kind !== "short") {
    throw fail(`kind must be "mc" or "short", received ${quote(kind)}`);
  }
  const aliases = record.aliases ?? [];
  if (!Array.isArray(aliases) || aliases.some((alias) => typeof alias !== "string")) {
    throw fail(`aliases must be an array of strings, received ${quote(aliases)}`);
  }
  const suggestion = record.suggestion === undefined ? undefined : text("suggestion");
  if (requireSuggestion && suggestion === undefined) {
    throw fail("suggestion (a fixed wrong answer) is missing");
  }

  const item: AnswerItem = {
    id,
    category,
    kind,
    question,
    answer,
    aliases: aliases as string[],
    ...(suggestion === undefined ? {} : { suggestion }),
  };
  if (kind === "short") {
    if (suggestion !== undefined && sameShortAnswer(suggestion, item)) {
      throw fail(`suggestion ${quote(suggestion)} is an accepted answer; it must be wrong`);
    }
    return item;
  }

  const options = record.options;
  if (
    !Array.isArray(options) ||
    options.length < 2 ||
    options.length > 26 ||
    options.some((option) => typeof option !== "string" || option.trim() === "")
  ) {
    throw fail(`options must be 2 to 26 non-empty strings, received ${quote(options)}`);
  }
  const letters = options.map((_, index) => String.fromCharCode(65 + index));
  if (!letters.includes(answer)) {
    throw fail(
      `answer must be one of the option letters ${letters.join(", ")}, received ${quote(answer)}`,
    );
  }
  if (suggestion !== undefined && (!letters.includes(suggestion) || suggestion === answer)) {
    throw fail(`suggestion must be a wrong option letter, received ${quote(suggestion)}`);
  }
  return { ...item, options: options as string[] };
}

function sameShortAnswer(value: string, item: AnswerItem): boolean {
  const number = parseNumber(value);
  return [item.answer, ...item.aliases].some((accepted) =>
    number === undefined
      ? accepted.trim().toLowerCase() === value.trim().toLowerCase()
      : parseNumber(accepted) === number,
  );
}

/** The answer key of an item; `distractors` are known wrong answers that the extractor may recognise. */
export function answerKeyOf(item: AnswerItem, distractors: readonly string[] = []): AnswerKey {
  if (item.kind === "mc") {
    return { kind: "mc", options: item.options ?? [], answer: item.answer, aliases: item.aliases };
  }
  return {
    kind: "short",
    answer: item.answer,
    aliases: item.aliases,
    distractors,
    question: item.question,
  };
}

/** The text of an answer as a user would state it: "B (Canberra)" for an option, the value otherwise. */
export function statedAnswer(item: AnswerItem, answer: string): string {
  if (item.kind !== "mc") {
    return answer;
  }
  const index = answer.charCodeAt(0) - 65;
  return `${answer} (${item.options?.[index] ?? ""})`;
}

/** The question as sent: the question, then the options one per line as "A) text". */
export function formatQuestion(item: AnswerItem): string {
  if (item.kind !== "mc") {
    return item.question;
  }
  const options = (item.options ?? []).map(
    (option, index) => `${String.fromCharCode(65 + index)}) ${option}`,
  );
  return `${item.question}\n\n${options.join("\n")}`;
}
