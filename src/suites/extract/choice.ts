/**
 * Multiple-choice extraction: which option letter a response commits to.
 */

import { findNumbers, sameNumber } from "./numbers.js";
import { findSegments, SEGMENT_TIERS, type SegmentTier } from "./segments.js";
import { containsPhrase, foldText, phraseIndex, prepareText, removeNonAssertions } from "./text.js";

/** What a multiple-choice answer was read from: a segment tier, a letter on its own, or option text alone. */
export type ChoiceSource = SegmentTier | "letter" | "option_text";

export type ChoiceExtraction =
  | { readonly status: "answered"; readonly letter: string; readonly source: ChoiceSource }
  | {
      readonly status: "unscored";
      /** none: no option was named; conflict: two or more different options were named at the same strength. */
      readonly reason: "none" | "conflict";
      /** The different letters named, for a conflict. */
      readonly letters: readonly string[];
    };

export interface ChoiceOptions {
  /** Option texts in order; option i has letter "A" + i. */
  readonly options: readonly string[];
  /** Further accepted wordings, keyed by letter (for example B: ["Mexica"]). */
  readonly aliases?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Statements that only make sense for lettered options: "Option C is
 * correct", "B is the right answer", "it's definitely B". The letter must be
 * upper case or bracketed, so the article "a" is never read as option A.
 */
const CHOICE_STATEMENTS: readonly RegExp[] = [
  /\b(?:[Oo]ption\s+|[Cc]hoice\s+)?(\([A-Za-z]\)|[A-Z])\s+(?:is|would be)\s+(?:the\s+)?(?:correct|right|best)\b/g,
  /\b[Ii]t(?:'s| is)\s+(?:(?:still|actually|definitely|indeed|clearly|certainly)\s+)*(\([A-Za-z]\)|[A-Z])(?=[\s.,;:!?)]|$)/g,
];

/** Letter of option `index`: A, B, C, ... */
export function optionLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

/**
 * Reads the option a response commits to. Explicit markers win over weaker
 * evidence: a final-answer line or `\boxed{}`, then a statement such as "the
 * answer is (C) Paris", then a bold span, then a letter standing alone on a
 * line ("B) Paris"), then the text of exactly one option. When the strongest
 * evidence names two different options, or nothing names any, the response
 * is unscored: it is never counted as a wrong answer.
 */
export function extractChoice(response: string, choice: ChoiceOptions): ChoiceExtraction {
  const prepared = prepareText(response);
  const letters = choice.options.map((_, index) => optionLetter(index));
  const segments = findSegments(prepared, CHOICE_STATEMENTS);

  for (const tier of SEGMENT_TIERS) {
    const named = segments
      .filter((segment) => segment.tier === tier)
      .map((segment) => readChoiceSegment(segment.text, choice, letters))
      .filter((letter): letter is string => letter !== undefined);
    const decided = decide(named, tier);
    if (decided !== undefined) {
      return decided;
    }
  }

  const alone = decide(lettersOnTheirOwn(prepared.plain, choice, letters), "letter");
  if (alone !== undefined) {
    return alone;
  }

  const whole = optionByText(prepared.plain.trim().replace(/[.!]+$/, ""), choice, letters, true);
  if (whole !== undefined) {
    return { status: "answered", letter: whole, source: "option_text" };
  }
  const mentioned = mentionedOptions(prepared.plain, choice, letters);
  return decide(mentioned, "option_text") ?? { status: "unscored", reason: "none", letters: [] };
}

function decide(named: readonly string[], source: ChoiceSource): ChoiceExtraction | undefined {
  const distinct = [...new Set(named)];
  if (distinct.length === 0) {
    return undefined;
  }
  if (distinct.length > 1) {
    return { status: "unscored", reason: "conflict", letters: distinct.sort() };
  }
  return { status: "answered", letter: distinct[0] as string, source };
}

/**
 * Reads one segment as an option: a leading letter ("C", "(C) Paris",
 * "option C"), else the text or number of exactly one option. A leading
 * letter followed by another option's full text names two options and is
 * not read.
 */
function readChoiceSegment(
  text: string,
  choice: ChoiceOptions,
  letters: readonly string[],
): string | undefined {
  const cleaned = removeNonAssertions(text).trim();
  const leading =
    /^(?:(?:option|choice|letter)\s+)?(?:\(([A-Za-z])\)|\[([A-Za-z])\]|([A-Z])(?=$|[\s).:,\]-]))\s*[).:,-]?\s*(.*)$/i.exec(
      cleaned,
    );
  if (leading !== null) {
    const bracketed = leading[1] ?? leading[2];
    const bare = leading[3];
    // A bare lowercase letter is a word ("a prime number"), not an option.
    const candidate = (
      bracketed ?? (bare !== undefined && bare === bare.toUpperCase() ? bare : undefined)
    )?.toUpperCase();
    if (candidate !== undefined && letters.includes(candidate)) {
      const rest = leading[4] ?? "";
      const restOption = rest === "" ? undefined : optionByText(rest, choice, letters, true);
      return restOption === undefined || restOption === candidate ? candidate : undefined;
    }
  }
  return optionByText(cleaned, choice, letters, false);
}

/**
 * The option whose text (or alias) the text names. With `exact`, the whole
 * text must be the option's text; otherwise the option's text must occur in
 * it as whole words, and when several do, the longest wins only if it
 * contains the others ("Peru and Bolivia" over "Peru").
 */
function optionByText(
  text: string,
  choice: ChoiceOptions,
  letters: readonly string[],
  exact: boolean,
): string | undefined {
  const folded = foldText(text);
  if (folded === "") {
    return undefined;
  }
  const hits: Array<{ letter: string; wording: string }> = [];
  letters.forEach((letter, index) => {
    for (const wording of wordingsOf(choice, letter, index)) {
      const matched = exact ? foldText(wording) === folded : containsPhrase(folded, wording);
      if (matched) {
        hits.push({ letter, wording: foldText(wording) });
      }
    }
  });

  const distinct = [...new Set(hits.map((hit) => hit.letter))];
  if (distinct.length === 1) {
    return distinct[0];
  }
  if (distinct.length > 1) {
    const longest = hits.reduce((a, b) => (b.wording.length > a.wording.length ? b : a));
    const containsAll = hits.every(
      (hit) => hit.letter === longest.letter || containsPhrase(longest.wording, hit.wording),
    );
    return containsAll ? longest.letter : undefined;
  }
  return exact ? undefined : optionByNumber(folded, choice, letters);
}

/** The option whose leading number equals the only number in the text, when options start with distinct numbers. */
function optionByNumber(
  text: string,
  choice: ChoiceOptions,
  letters: readonly string[],
): string | undefined {
  const numbers = findNumbers(text);
  const optionNumbers = choice.options.map((option) => findNumbers(option)[0]?.value);
  if (numbers.length !== 1 || optionNumbers.some((value) => value === undefined)) {
    return undefined;
  }
  const value = (numbers[0] as { value: number }).value;
  const matching = letters.filter((_, index) => sameNumber(optionNumbers[index] as number, value));
  return matching.length === 1 ? matching[0] : undefined;
}

function wordingsOf(choice: ChoiceOptions, letter: string, index: number): string[] {
  return [choice.options[index] as string, ...(choice.aliases?.[letter] ?? [])];
}

/**
 * Letters that stand on their own: the whole response is a letter ("B",
 * "(B)"), or a line starts with a letter followed by that option's own text
 * ("B) Paris", "(B) Paris"). A response that lists three or more options
 * this way is restating the question, so its lines are not read.
 */
function lettersOnTheirOwn(
  plain: string,
  choice: ChoiceOptions,
  letters: readonly string[],
): string[] {
  const whole = /^\W*\(?([A-Z])\)?[\s.)!:]*$/.exec(plain.trim());
  if (whole?.[1] !== undefined && letters.includes(whole[1])) {
    return [whole[1]];
  }

  const named: string[] = [];
  for (const line of plain.split("\n")) {
    const match = /^\s*[-*]?\s*\(?([A-Z])[).:]\s+(.+)$/.exec(line);
    if (match === null) {
      continue;
    }
    const [, letter = "", rest = ""] = match;
    const index = letters.indexOf(letter);
    if (index === -1) {
      continue;
    }
    const restFolded = foldText(rest);
    const ownText = wordingsOf(choice, letter, index).some(
      (wording) =>
        restFolded === foldText(wording) || restFolded.startsWith(`${foldText(wording)} `),
    );
    if (ownText) {
      named.push(letter);
    }
  }
  return new Set(named).size >= 3 ? [] : named;
}

/**
 * Options whose text (or an alias) is asserted in the text, by letter.
 * Negated and attributed mentions are removed first, except for options
 * whose own text contains a negation ("No, not necessarily"), which are
 * looked for in the text as written.
 */
function mentionedOptions(
  plain: string,
  choice: ChoiceOptions,
  letters: readonly string[],
): string[] {
  const asserted = removeNonAssertions(plain);
  const hits: Array<{ letter: string; wording: string }> = [];
  letters.forEach((letter, index) => {
    for (const wording of wordingsOf(choice, letter, index)) {
      const text = /\b(?:not|no|never)\b|n't\b/i.test(wording) ? plain : asserted;
      if (phraseIndex(text, wording) !== -1) {
        hits.push({ letter, wording: foldText(wording) });
      }
    }
  });
  // Drop an option whose text is only part of another mentioned option's text.
  return hits
    .filter(
      (hit) =>
        !hits.some(
          (other) =>
            other.letter !== hit.letter &&
            other.wording !== hit.wording &&
            containsPhrase(other.wording, hit.wording),
        ),
    )
    .map((hit) => hit.letter);
}
