/**
 * Grading one response against an item's answer key: correct, incorrect, or
 * unscored when no single answer could be read.
 */

import { extractChoice } from "./choice.js";
import { extractShortAnswer } from "./short.js";

export type AnswerKey =
  | {
      readonly kind: "mc";
      readonly options: readonly string[];
      /** Letter of the correct option. */
      readonly answer: string;
      /** Other wordings of the correct option. */
      readonly aliases?: readonly string[];
    }
  | {
      readonly kind: "short";
      readonly answer: string;
      readonly aliases?: readonly string[];
      /** Known wrong answers; see ShortAnswerKey. */
      readonly distractors?: readonly string[];
      readonly question?: string;
    };

export type AnswerGrade =
  | {
      readonly status: "correct" | "incorrect";
      /** The answer read: an option letter, a number, or folded text. */
      readonly answer: string;
      /** Which evidence the answer was read from (see ChoiceSource and ShortAnswerSource). */
      readonly source: string;
    }
  | { readonly status: "unscored"; readonly reason: "none" | "conflict" };

/** Grades a response against a key. */
export function gradeAnswer(key: AnswerKey, response: string): AnswerGrade {
  if (key.kind === "mc") {
    const extraction = extractChoice(response, {
      options: key.options,
      aliases: { [key.answer]: key.aliases ?? [] },
    });
    if (extraction.status === "unscored") {
      return { status: "unscored", reason: extraction.reason };
    }
    return {
      status: extraction.letter === key.answer ? "correct" : "incorrect",
      answer: extraction.letter,
      source: extraction.source,
    };
  }

  const extraction = extractShortAnswer(response, key);
  if (extraction.status === "unscored") {
    return { status: "unscored", reason: extraction.reason };
  }
  return {
    status: extraction.correct ? "correct" : "incorrect",
    answer: extraction.answer,
    source: extraction.source,
  };
}
