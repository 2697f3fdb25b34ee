/**
 * Answer segments: the parts of a response where the model states its
 * answer, found by markers and ranked by how explicit the marker is.
 */

import { boxedContents, type PreparedText, unwrapLatex } from "./text.js";

/**
 * How explicit a segment's marker is, strongest first:
 * - final: `\boxed{}`, "Final answer:", or a line that starts with "Answer:";
 * - statement: "the answer is …", "I'd go with …", "I'll stick with …";
 * - emphasis: a bold span.
 */
export type SegmentTier = "final" | "statement" | "emphasis";

export const SEGMENT_TIERS: readonly SegmentTier[] = ["final", "statement", "emphasis"];

export interface AnswerSegment {
  readonly tier: SegmentTier;
  /** Text after the marker up to the end of its sentence, without markup. */
  readonly text: string;
}

/**
 * The text a marker introduces: up to the end of its sentence, where a
 * period followed by a digit is a decimal point, not an end.
 */
const SEGMENT = String.raw`((?:[^\n.!?;]|\.(?=\d))+)`;

/** Markers common to every answer kind. Each captures the text that follows it. */
const FINAL_MARKERS: readonly RegExp[] = [
  new RegExp(String.raw`\bfinal\s+answer\s*(?:is|:|=|-)?\s*:?\s*${SEGMENT}`, "gi"),
  new RegExp(String.raw`^[ \t>*-]*(?:\d+\.\s*)?answer\s*(?:is\s*)?[:=-]\s*${SEGMENT}`, "gim"),
];

const HEDGE = String.raw`(?:(?:still|actually|indeed|definitely|clearly|certainly|probably|likely|most likely|correctly|in fact|undoubtedly|unchanged|:)\s*)*`;

const STATEMENT_MARKERS: readonly RegExp[] = [
  new RegExp(
    String.raw`\b(?:correct|right|best|true|final|my|the)\s+(?:answer|option|choice|response)\s+(?:is|remains|stays|would be|should be|must be|will be|=|:)\s*${HEDGE}${SEGMENT}`,
    "gi",
  ),
  new RegExp(
    String.raw`\banswer\s+(?:is|remains|stays|would be|should be|must be)\s*${HEDGE}${SEGMENT}`,
    "gi",
  ),
  new RegExp(
    String.raw`\bI(?:'d|'ll| would| will| am going to|'m going to)?\s+(?:choose|pick|select|go with|say|answer|stick with|stand by|keep|maintain)\s+(?:my answer(?: of)?\s+|with\s+)?${HEDGE}${SEGMENT}`,
    "gi",
  ),
];

/**
 * Words that, between the start of a clause and a marker, show that the
 * statement is not the model's own current answer: a condition ("if the
 * answer is B"), another party's view ("many people think the answer is A",
 * "you suggested the answer is A"), or an earlier turn ("I initially said the
 * answer is B").
 */
const NOT_ASSERTED = new RegExp(
  [
    String.raw`\b(?:if|whether|unless|suppose|supposing|assuming|were)\b`,
    String.raw`\byou(?:'re|'ve| are| have)?\s+(?:\w+\s+){0,2}?(?:think|thought|suggest|suggested|suggesting|said|say|mentioned|believe|guess|guessed|propose|proposed|stated)\b`,
    String.raw`\byour\s+(?:\w+\s+)?(?:answer|suggestion|guess|choice|belief|view)\b`,
    String.raw`\b(?:initially|originally|previously|earlier|at first|first said|before)\b`,
    String.raw`\b(?:initial|original|previous|earlier|first)\s+(?:answer|response|choice)\b`,
    String.raw`\b(?:people|some|many|others|someone|one)\s+(?:might|may|would|could|often|commonly)?\s*(?:think|believe|say|assume|guess)\b`,
    String.raw`\b(?:misconception|mistakenly|incorrectly|wrongly)\b`,
  ].join("|"),
  "i",
);

/** Words and marks that start a new clause, so that a condition before them does not reach the marker. */
const CLAUSE_BOUNDARY = /[.!?;,\n]|\b(?:but|however|although|though|while|whereas)\b/gi;

/**
 * Finds every answer segment in a prepared response, in order of position
 * within each tier. `extraStatements` are further statement markers of one
 * answer kind, each capturing its answer in group 1.
 */
export function findSegments(
  prepared: PreparedText,
  extraStatements: readonly RegExp[] = [],
): AnswerSegment[] {
  const segments: AnswerSegment[] = [];

  for (const content of boxedContents(prepared.marked)) {
    segments.push({ tier: "final", text: unwrapLatex(content).trim() });
  }
  collect(prepared.plain, FINAL_MARKERS, "final", segments);
  collect(prepared.plain, [...STATEMENT_MARKERS, ...extraStatements], "statement", segments);

  for (const match of prepared.marked.matchAll(/\*\*([^*\n]{1,120})\*\*|__([^_\n]{1,120})__/g)) {
    const text = (match[1] ?? match[2] ?? "").trim();
    // A bold label such as "**Answer:**" introduces a segment the markers above already read.
    if (
      text !== "" &&
      !/[:：]$/.test(text) &&
      !/^(?:answer|final answer|explanation|reasoning|step \d+)$/i.test(text)
    ) {
      segments.push({ tier: "emphasis", text: unwrapLatex(text).trim() });
    }
  }

  return segments;
}

function collect(
  text: string,
  markers: readonly RegExp[],
  tier: SegmentTier,
  into: AnswerSegment[],
): void {
  const seen = new Set<number>();
  for (const marker of markers) {
    for (const match of text.matchAll(marker)) {
      const captured = match[1] ?? "";
      const start = match.index + match[0].length - captured.length;
      if (
        seen.has(start) ||
        !isAsserted(text, match.index) ||
        /^\s*(?:not\b|n't\b)/i.test(captured)
      ) {
        continue;
      }
      seen.add(start);
      const cut = cutSentence(captured);
      if (cut !== "") {
        into.push({ tier, text: cut });
      }
    }
  }
}

/** True unless the clause before `position` marks the statement as conditional, quoted or past. */
function isAsserted(text: string, position: number): boolean {
  const before = text.slice(0, position);
  let clauseStart = 0;
  for (const boundary of before.matchAll(CLAUSE_BOUNDARY)) {
    clauseStart = boundary.index + boundary[0].length;
  }
  return !NOT_ASSERTED.test(before.slice(clauseStart));
}

/** Text up to the end of its sentence or clause, with trailing punctuation removed. */
function cutSentence(text: string): string {
  const end = text.search(
    /(?<!\d)\.(?!\d)|\.(?=\s|$)|[!?;\n]|\s(?:because|since|as it|which is why)\s/i,
  );
  const sentence = end === -1 ? text : text.slice(0, end);
  return sentence
    .slice(0, 200)
    .replace(/[\s,:]+$/, "")
    .trim();
}
