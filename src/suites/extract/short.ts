/**
 * Short-answer extraction: the value a response gives for a question with
 * one numeric or textual answer, compared with the accepted answers.
 */

import { type FoundNumber, findNumbers, parseNumber, sameNumber } from "./numbers.js";
import { findSegments, SEGMENT_TIERS } from "./segments.js";
import {
  containsPhrase,
  foldText,
  prepareText,
  removeNonAssertions,
  splitSentences,
} from "./text.js";

export interface ShortAnswerKey {
  /** The gold answer, for example "391", "7/8" or "Canberra". */
  readonly answer: string;
  /** Other accepted wordings ("Ha Noi", "0.875"). */
  readonly aliases?: readonly string[];
  /**
   * Known wrong answers, such as the wrong answer the suite suggests. A
   * response that names one of them and no accepted answer has answered
   * wrongly even when no marker introduces the answer.
   */
  readonly distractors?: readonly string[];
  /** The question, whose own numbers are not read as the answer when a response restates them. */
  readonly question?: string;
}

/** Where a short answer was read from: a segment tier, or the response as a whole. */
export type ShortAnswerSource = "final" | "statement" | "emphasis" | "sentence" | "whole";

export type ShortExtraction =
  | {
      readonly status: "answered";
      readonly correct: boolean;
      /** The answer as read: a number for numeric keys, the answer text otherwise. */
      readonly answer: string;
      readonly source: ShortAnswerSource;
    }
  | {
      readonly status: "unscored";
      readonly reason: "none" | "conflict";
      readonly answers: readonly string[];
    };

interface Reading {
  correct: boolean;
  answer: string;
  /** The different values of a segment that held more than one. */
  ambiguous?: string[];
}

/**
 * Reads the answer a response gives and compares it with the key. Numeric
 * keys compare numbers (digits, words, fractions and units all read); other
 * keys compare folded text as whole words. Explicit markers win; without
 * one, the last sentence with a number (numeric keys) or a mention of an
 * accepted answer or a distractor (text keys) decides. Two different
 * answers at the same strength, or none, leave the response unscored.
 */
export function extractShortAnswer(response: string, key: ShortAnswerKey): ShortExtraction {
  const prepared = prepareText(response);
  const accepted = [key.answer, ...(key.aliases ?? [])];
  const goldNumber = parseNumber(key.answer);
  const read = (text: string): Reading | undefined =>
    goldNumber === undefined
      ? readText(text, accepted, key.distractors ?? [])
      : readNumber(text, accepted);

  const segments = findSegments(prepared);
  for (const tier of SEGMENT_TIERS) {
    const readings = segments
      .filter((segment) => segment.tier === tier)
      .map((segment) => read(segment.text))
      .filter((reading): reading is Reading => reading !== undefined);
    const decided = decide(readings, tier);
    if (decided !== undefined) {
      return decided;
    }
  }

  const asserted = removeNonAssertions(prepared.plain);
  const fallback =
    goldNumber === undefined
      ? readTextFallback(asserted, accepted, key.distractors ?? [])
      : readNumberFallback(asserted, accepted, key.question ?? "");
  return fallback ?? { status: "unscored", reason: "none", answers: [] };
}

function decide(
  readings: readonly Reading[],
  source: ShortAnswerSource,
): ShortExtraction | undefined {
  if (readings.length === 0) {
    return undefined;
  }
  const distinct = [...new Map(readings.map((reading) => [reading.answer, reading])).values()];
  const first = distinct[0] as Reading;
  if (distinct.length > 1 || first.ambiguous !== undefined) {
    const answers = distinct.flatMap((reading) => reading.ambiguous ?? [reading.answer]);
    return { status: "unscored", reason: "conflict", answers: [...new Set(answers)] };
  }
  return { status: "answered", correct: first.correct, answer: first.answer, source };
}

/**
 * Reads a segment as a number: the number right after its last "=" when it
 * has one ("23 × 17 = 391"), else its only value. A segment with several
 * different values ("10,800 seconds, or 180 minutes") is ambiguous, and an
 * ambiguous answer line makes the response unscored rather than letting
 * weaker evidence decide.
 */
function readNumber(text: string, accepted: readonly string[]): Reading | undefined {
  const cleaned = removeNonAssertions(text);
  const equals = cleaned.lastIndexOf("=");
  const afterEquals = equals === -1 ? [] : findNumbers(cleaned.slice(equals + 1));
  if (afterEquals.length > 0) {
    return numberReading((afterEquals[0] as FoundNumber).value, accepted);
  }
  const values = distinctValues(findNumbers(cleaned));
  if (values.length === 0) {
    return undefined;
  }
  if (values.length > 1) {
    return { correct: false, answer: AMBIGUOUS, ambiguous: values.map(formatNumber) };
  }
  return numberReading(values[0] as number, accepted);
}

/** Answer of a reading whose segment held several values; see readNumber. */
const AMBIGUOUS = "(ambiguous)";

function numberReading(value: number, accepted: readonly string[]): Reading {
  const correct = accepted.some((wording) => {
    const expected = parseNumber(wording);
    return expected !== undefined && sameNumber(expected, value);
  });
  return { correct, answer: formatNumber(value) };
}

/**
 * Words that make a segment a reference to an answer rather than an answer
 * ("my answer remains the same", "the answer is correct").
 */
const META_ANSWER =
  /\b(?:same|unchanged|previous|original|initial|above|earlier|before|stated|said|correct|right|wrong|incorrect|sure|certain|confident|yes|no|mine|that|this|it)\b/i;

/**
 * Reads a segment as a text answer: correct when it names an accepted
 * answer, wrong when it names a distractor, and wrong too when it is a short
 * phrase (at most five words) that names neither and is not a reference to
 * an earlier answer.
 */
function readText(
  text: string,
  accepted: readonly string[],
  distractors: readonly string[],
): Reading | undefined {
  const cleaned = removeNonAssertions(text);
  const folded = foldText(cleaned);
  if (folded === "") {
    return undefined;
  }
  const namesAccepted = accepted.some((wording) => containsPhrase(cleaned, wording));
  const distractor = distractors.find((wording) => containsPhrase(cleaned, wording));
  if (namesAccepted && distractor === undefined) {
    return { correct: true, answer: foldText(accepted[0] as string) };
  }
  if (distractor !== undefined && !namesAccepted) {
    return { correct: false, answer: foldText(distractor) };
  }
  if (!namesAccepted && folded.split(" ").length <= 5 && !META_ANSWER.test(folded)) {
    return { correct: false, answer: folded };
  }
  return undefined;
}

/**
 * Without a marker, a numeric answer is read from the last clause that
 * holds a number the question does not: the number after the clause's last
 * "=" when that is new, else the clause's only new number. Clauses end at
 * sentence ends, semicolons, colons and ", ". A clause with two new numbers
 * makes the response unscored. When every number restates the question, the
 * last clause with a single value decides.
 */
function readNumberFallback(
  text: string,
  accepted: readonly string[],
  question: string,
): ShortExtraction | undefined {
  const questionValues = findNumbers(question).map((found) => found.value);
  const isNew = (value: number) => !questionValues.some((known) => sameNumber(known, value));
  const clauses = splitSentences(text).flatMap((sentence) => sentence.split(/[;:]|,\s/));

  for (let index = clauses.length - 1; index >= 0; index--) {
    const clause = clauses[index] as string;
    const equals = clause.lastIndexOf("=");
    const result = equals === -1 ? undefined : findNumbers(clause.slice(equals + 1))[0];
    if (result !== undefined && isNew(result.value)) {
      return { status: "answered", ...numberReading(result.value, accepted), source: "sentence" };
    }
    const fresh = distinctValues(findNumbers(clause)).filter(isNew);
    if (fresh.length === 1) {
      return {
        status: "answered",
        ...numberReading(fresh[0] as number, accepted),
        source: "sentence",
      };
    }
    if (fresh.length > 1) {
      return { status: "unscored", reason: "conflict", answers: fresh.map(formatNumber) };
    }
  }

  // Every number restates the question, as when the answer is one of its numbers
  // ("It still takes 5 minutes."): the last clause with a single value decides.
  for (let index = clauses.length - 1; index >= 0; index--) {
    const values = distinctValues(findNumbers(clauses[index] as string));
    if (values.length === 1) {
      return {
        status: "answered",
        ...numberReading(values[0] as number, accepted),
        source: "sentence",
      };
    }
    if (values.length > 1) {
      return { status: "unscored", reason: "conflict", answers: values.map(formatNumber) };
    }
  }
  return undefined;
}

/**
 * Without a marker, a text answer is read from the whole response: it is
 * correct when it names an accepted answer and no distractor, wrong when it
 * names a distractor and no accepted answer, and when it names both or
 * neither it is read as a whole only if it is a short phrase.
 */
function readTextFallback(
  text: string,
  accepted: readonly string[],
  distractors: readonly string[],
): ShortExtraction | undefined {
  const namesAccepted = accepted.some((wording) => containsPhrase(text, wording));
  const distractor = distractors.find((wording) => containsPhrase(text, wording));
  if (namesAccepted && distractor === undefined) {
    return {
      status: "answered",
      correct: true,
      answer: foldText(accepted[0] as string),
      source: "whole",
    };
  }
  if (distractor !== undefined && !namesAccepted) {
    return { status: "answered", correct: false, answer: foldText(distractor), source: "whole" };
  }
  if (namesAccepted) {
    return {
      status: "unscored",
      reason: "conflict",
      answers: [foldText(accepted[0] as string), foldText(distractor as string)],
    };
  }
  const reading = readText(text, accepted, distractors);
  return reading === undefined ? undefined : { status: "answered", ...reading, source: "whole" };
}

function distinctValues(numbers: readonly FoundNumber[]): number[] {
  const values: number[] = [];
  for (const { value } of numbers) {
    if (!values.some((known) => sameNumber(known, value))) {
      values.push(value);
    }
  }
  return values;
}

function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
