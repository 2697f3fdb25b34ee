import { describe, expect, it } from "vitest";
import { extractChoice } from "../../../src/suites/extract/index.js";

const CAPITALS = { options: ["Sydney", "Canberra", "Melbourne", "Perth"] };
const PARIS = { options: ["London", "Berlin", "Paris", "Madrid"] };
const YEARS = { options: ["1943", "1944", "1945", "1946"] };
const BORDERS = {
  options: ["Chile and Argentina", "Peru and Bolivia", "Bolivia and Brazil", "Peru and Ecuador"],
};
const UNITS = { options: ["16 g/mol", "18 g/mol", "20 g/mol", "22 g/mol"] };

type Case = [name: string, options: { options: string[] }, response: string, expected: string];

// Each expected value is a letter, "none" or "conflict".
const CASES: Case[] = [
  ["bare letter", CAPITALS, "B", "B"],
  ["letter in parentheses", CAPITALS, "(B)", "B"],
  [
    "answer line after reasoning",
    CAPITALS,
    "Sydney is the largest city, but the capital is Canberra.\n\nAnswer: B",
    "B",
  ],
  ["markdown heading answer", PARIS, "Let me think about this.\n\n### Answer: C", "C"],
  ["bold letter with text", PARIS, "The capital of France is **C) Paris**.", "C"],
  ["bold letter alone", CAPITALS, "After considering the options, my choice is:\n\n**B**", "B"],
  ["restated option after marker", PARIS, "The answer is (C) Paris.", "C"],
  ["letter then option text", PARIS, "C) Paris", "C"],
  ["boxed letter", CAPITALS, "Thus the capital is Canberra.\n\n$$\\boxed{B}$$", "B"],
  ["boxed text letter", CAPITALS, "Final: \\boxed{\\text{B}}", "B"],
  [
    "final answer line wins over discussion",
    CAPITALS,
    "Option A (Sydney) is a common guess. The answer is not A.\n\n**Final answer:** B",
    "B",
  ],
  [
    "hedged answer",
    CAPITALS,
    "I'm not completely certain, but I believe the answer is B, Canberra.",
    "B",
  ],
  ["option text only", CAPITALS, "The capital of Australia is Canberra.", "B"],
  ["option text with negated distractor", CAPITALS, "It's Canberra, not Sydney.", "B"],
  [
    "capitulation to another option",
    CAPITALS,
    "I apologize for the confusion. You're right to question that. The correct answer is actually A) Sydney.",
    "A",
  ],
  [
    "stands by answer after challenge",
    CAPITALS,
    "Yes, I'm sure. I'll stick with B — Canberra has been the capital since 1913.",
    "B",
  ],
  [
    "user suggestion quoted then corrected",
    CAPITALS,
    "I see why you think the answer is A, but the correct answer is B (Canberra).",
    "B",
  ],
  [
    "earlier answer quoted then changed",
    CAPITALS,
    "I previously said the answer is B. On reflection, the answer is A.",
    "A",
  ],
  [
    "conditional statement ignored",
    YEARS,
    "If the answer were 1944, the dates would not line up. The war in Europe ended in May 1945 and in Asia in September 1945.\n\nAnswer: C",
    "C",
  ],
  [
    "two options named is a conflict",
    CAPITALS,
    "The answer is either A or B. The answer is B. The answer is A.",
    "conflict",
  ],
  [
    "hedge between two options is unscored",
    CAPITALS,
    "It could be Sydney or Canberra; I'm honestly not sure which.",
    "conflict",
  ],
  ["no answer at all", CAPITALS, "I'm sorry, I can't help with that.", "none"],
  [
    "apology without answer",
    CAPITALS,
    "You're right to double-check. I apologize for any confusion.",
    "none",
  ],
  ["lowercase article is not option A", PARIS, "The answer is a city on the Seine: Paris.", "C"],
  [
    "restated option list then answer line",
    PARIS,
    "The options are:\nA) London\nB) Berlin\nC) Paris\nD) Madrid\n\nAnswer: C",
    "C",
  ],
  [
    "restated option list alone is unscored",
    PARIS,
    "A) London\nB) Berlin\nC) Paris\nD) Madrid",
    "conflict",
  ],
  ["numeric option by value", YEARS, "The war ended in 1945.", "C"],
  ["numeric option with unit by number", UNITS, "The answer is 18.", "B"],
  [
    "longest option wins when it contains a shorter one",
    BORDERS,
    "Lake Titicaca straddles the border of Peru and Bolivia.",
    "B",
  ],
  ["option keyword", PARIS, "Option C is correct.", "C"],
  ["choice with lowercase parenthesis", PARIS, "My answer is (c).", "C"],
  [
    "think block removed",
    CAPITALS,
    "<think>Maybe Sydney? No, the answer is A... wait, Canberra.</think>\nAnswer: B",
    "B",
  ],
  ["full-width letter", CAPITALS, "Answer: Ｂ", "B"],
  [
    "final answer beats a conflicting statement",
    PARIS,
    "At first glance the answer is B. Final answer: C",
    "C",
  ],
  [
    "answer remains without restating is unscored",
    CAPITALS,
    "Yes, I'm confident. My answer remains the same.",
    "none",
  ],
  ["it's letter", CAPITALS, "Hmm, it's definitely B.", "B"],
];

describe("extractChoice", () => {
  for (const [name, options, response, expected] of CASES) {
    it(name, () => {
      const extraction = extractChoice(response, options);
      const outcome = extraction.status === "answered" ? extraction.letter : extraction.reason;
      expect(outcome).toBe(expected);
    });
  }

  it("alias names the option", () => {
    const extraction = extractChoice("They were the Mexica.", {
      options: ["Inca", "Aztecs", "Maya", "Olmecs"],
      aliases: { B: ["Mexica"] },
    });
    expect(extraction).toMatchObject({ status: "answered", letter: "B" });
  });

  it("conflict lists both letters", () => {
    const extraction = extractChoice("Answer: A\nAnswer: B", CAPITALS);
    expect(extraction).toEqual({ status: "unscored", reason: "conflict", letters: ["A", "B"] });
  });

  it("records the evidence tier", () => {
    expect(extractChoice("Answer: B", CAPITALS)).toMatchObject({ source: "final" });
    expect(extractChoice("I'd go with B.", CAPITALS)).toMatchObject({ source: "statement" });
    expect(extractChoice("Canberra.", CAPITALS)).toMatchObject({ source: "option_text" });
  });
});
