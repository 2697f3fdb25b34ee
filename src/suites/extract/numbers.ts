/**
 * Numbers as chat models write them: digits with thousands separators,
 * decimals, signs, fractions (7/8, \frac{7}{8}), ordinals (2nd) and English
 * number words ("one hundred and forty-four", "second").
 */

/** A number found in text. */
export interface FoundNumber {
  readonly value: number;
  /** Offset of the number in the text it was found in. */
  readonly index: number;
  /** The text that was read as the number. */
  readonly raw: string;
}

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };
const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
};

const NUMBER_WORD = [
  ...Object.keys(UNITS),
  ...Object.keys(TENS),
  "hundred",
  ...Object.keys(SCALES),
].join("|");
const WORD_SEQUENCE = new RegExp(
  String.raw`\b(?:minus\s+|negative\s+)?(?:${NUMBER_WORD})(?:(?:\s+and\s+|[\s-]+)(?:${NUMBER_WORD}))*\b`,
  "gi",
);
const ORDINAL_WORD = new RegExp(String.raw`\b(?:${Object.keys(ORDINALS).join("|")})\b`, "gi");

/**
 * Digits: optional sign, thousands groups separated by commas, narrow or
 * no-break spaces, or plain digits, an optional decimal part and exponent,
 * then an optional fraction denominator or ordinal suffix. A unit may follow
 * directly ("250cm"); a digit right after a letter ("CO2", "sp3") is not a number.
 */
const DIGITS =
  /(?<![\w.])(-)?(\d{1,3}(?:[,\u202F\u00A0\u2009]\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?(?:\s*\/\s*(\d+)(?![\d.]))?(?:st|nd|rd|th)?/g;

/** Every number in `text`, in order of position. Word numbers and ordinals are included. */
export function findNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  const covered: Array<[number, number]> = [];

  for (const match of text.matchAll(DIGITS)) {
    const [raw, sign, whole = "", decimals = "", exponent, denominator] = match;
    let value = Number(`${whole.replace(/[,\u202F\u00A0\u2009]/g, "")}${decimals}`);
    if (exponent !== undefined) {
      value *= 10 ** Number(exponent);
    }
    if (denominator !== undefined) {
      const divisor = Number(denominator);
      if (divisor === 0) {
        continue;
      }
      value /= divisor;
    }
    if (sign !== undefined) {
      value = -value;
    }
    found.push({ value, index: match.index, raw });
    covered.push([match.index, match.index + raw.length]);
  }

  for (const match of text.matchAll(WORD_SEQUENCE)) {
    const value = wordsToNumber(match[0]);
    if (value !== undefined && !overlaps(covered, match.index, match[0].length)) {
      found.push({ value, index: match.index, raw: match[0] });
    }
  }
  for (const match of text.matchAll(ORDINAL_WORD)) {
    const value = ORDINALS[match[0].toLowerCase()];
    if (value !== undefined && !overlaps(covered, match.index, match[0].length)) {
      found.push({ value, index: match.index, raw: match[0] });
    }
  }

  return found.sort((a, b) => a.index - b.index);
}

/** Reads a whole string as one number ("391", "7/8", "twelve", "-40"), or undefined. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  const numbers = findNumbers(trimmed);
  if (numbers.length !== 1) {
    return undefined;
  }
  const [only] = numbers;
  return only !== undefined && only.raw.length === trimmed.replace(/[.%]$/, "").length
    ? only.value
    : undefined;
}

/** True when two numbers are equal up to rounding error in their decimal representation. */
export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function wordsToNumber(phrase: string): number | undefined {
  const words = phrase
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((word) => word !== "and");
  let sign = 1;
  if (words[0] === "minus" || words[0] === "negative") {
    sign = -1;
    words.shift();
  }
  let total = 0;
  let current = 0;
  for (const word of words) {
    const unit = UNITS[word] ?? TENS[word];
    if (unit !== undefined) {
      current += unit;
    } else if (word === "hundred") {
      current = (current === 0 ? 1 : current) * 100;
    } else {
      const scale = SCALES[word];
      if (scale === undefined) {
        return undefined;
      }
      total += (current === 0 ? 1 : current) * scale;
      current = 0;
    }
  }
  return sign * (total + current);
}

function overlaps(ranges: Array<[number, number]>, start: number, length: number): boolean {
  return ranges.some(([from, to]) => start < to && start + length > from);
}
