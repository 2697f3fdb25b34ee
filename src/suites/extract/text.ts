/**
 * Text preparation shared by the answer extractors: removing inline
 * reasoning, markdown and LaTeX wrappers, folding text for comparison, and
 * cutting out clauses that name an answer without asserting it.
 */

/** A response in the two forms the extractors read. */
export interface PreparedText {
  /** The response with reasoning blocks removed and Unicode normalised; markdown kept. */
  readonly marked: string;
  /** `marked` without emphasis, headings, code ticks and LaTeX wrappers. */
  readonly plain: string;
}

/**
 * Prepares a response for extraction. `<think>` blocks are removed because
 * some local servers return reasoning inline before the answer. NFKC folds
 * full-width letters and superscripts; minus signs and dashes become "-".
 */
export function prepareText(response: string): PreparedText {
  const marked = response
    .replace(/<think>[\s\S]*?<\/think>/gi, " ")
    .replace(/<think>[\s\S]*$/i, " ")
    .normalize("NFKC")
    .replace(/[\u2212\u2012\u2013\u2014]/g, "-")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\r\n?/g, "\n");
  return { marked, plain: stripMarkup(marked) };
}

/** Removes markdown emphasis, headings, block quotes, code ticks and LaTeX wrappers, keeping their text. */
export function stripMarkup(text: string): string {
  return unwrapLatex(text)
    .replace(/\*\*|__/g, "")
    .replace(/(^|[\s(])[*_]([^*_\n]+)[*_](?=[\s).,:;!?]|$)/gm, "$1$2")
    .replace(/^[ \t]*(?:#{1,6}|>)[ \t]*/gm, "")
    .replace(/`/g, "");
}

/** Replaces `\text{X}`, `\mathrm{X}`, `\textbf{X}` and `\boxed{X}` with X and drops math delimiters. */
export function unwrapLatex(text: string): string {
  let result = text;
  for (let pass = 0; pass < 3; pass++) {
    result = result.replace(/\\(?:text|textbf|mathrm|mathbf|boxed|fbox)\s*\{([^{}]*)\}/g, "$1");
  }
  return result
    .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2")
    .replace(/\\[()[\]]/g, " ")
    .replace(/\$+/g, "")
    .replace(/\\times|\\cdot/g, "×")
    .replace(/\\%/g, "%")
    .replace(/\\,|\\;|\\!/g, "");
}

/** Contents of every `\boxed{...}` (or `\fbox{...}`), with nested braces balanced, in order. */
export function boxedContents(text: string): string[] {
  const contents: string[] = [];
  const pattern = /\\(?:boxed|fbox)\s*\{/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    let depth = 1;
    let end = match.index + match[0].length;
    while (end < text.length && depth > 0) {
      const character = text[end];
      if (character === "{") {
        depth += 1;
      } else if (character === "}") {
        depth -= 1;
      }
      end += 1;
    }
    if (depth === 0) {
      contents.push(text.slice(match.index + match[0].length, end - 1));
    }
  }
  return contents;
}

/**
 * Folds text for comparing answers: lower case, accents removed, punctuation
 * as spaces (except the decimal point, the slash of a fraction and the minus
 * sign before a digit), leading articles dropped, spaces collapsed.
 */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u2212\u2012\u2013\u2014]/g, "-")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/(\d),(\d{3})/g, "$1$2")
    .replace(/(?<!\d)\.|\.(?!\d)/g, " ")
    .replace(/-(?!\d)|(?<=\w)-/g, " ")
    .replace(/[^\p{L}\p{N}./\-°%²³+×= ]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^(?:the|a|an) /, "");
}

/** True when `needle` occurs in `haystack` as whole words; both are folded first. */
export function containsPhrase(haystack: string, needle: string): boolean {
  return phraseIndex(haystack, needle) !== -1;
}

/** Position of the first whole-word occurrence of folded `needle` in folded `haystack`, or -1. */
export function phraseIndex(haystack: string, needle: string): number {
  const folded = foldText(needle);
  if (folded === "") {
    return -1;
  }
  const text = ` ${foldText(haystack)} `;
  const index = text.indexOf(` ${folded} `);
  return index === -1 ? -1 : index;
}

/**
 * Removes phrases that mention an answer without asserting it: negated ones
 * ("not Sydney", "rather than B", "instead of 12") and ones attributed to
 * the user or to an earlier turn ("you suggested Sydney", "I previously
 * said B"). Each phrase runs to the next comma, semicolon, sentence end or
 * "but".
 */
export function removeNonAssertions(text: string): string {
  const clauseEnd = String.raw`(?=[,;!?\n]|\.(?!\d)|\bbut\b|\bhowever\b|$)`;
  const negated = new RegExp(
    String.raw`\b(?:not|isn't|is not|wasn't|rather than|instead of|as opposed to)\s+[^,;!?\n]*?${clauseEnd}`,
    "gi",
  );
  const attributed = new RegExp(
    String.raw`\b(?:you(?:'ve| have)?|your)\s+(?:\w+\s+){0,2}?(?:think|thought|suggest(?:ed|s)?|said|mentioned|believe|believed|guessed|proposed|answer|suggestion|guess|stated)\b[^,;!?\n]*?${clauseEnd}` +
      String.raw`|\b(?:I|my)\s+(?:\w+\s+){0,2}?(?:initially|originally|previously|earlier|first|before|initial|original|previous|earlier)\b[^,;!?\n]*?${clauseEnd}`,
    "gi",
  );
  return text.replace(attributed, " ").replace(negated, " ");
}

/** Splits text into sentences at ". ", "!", "?" and line breaks, keeping decimal points intact. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[!?])\s+|(?<=\D)\.(?=\s|$)|(?<=\d)\.(?=\s+[A-Z]|\s*$)|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== "");
}
