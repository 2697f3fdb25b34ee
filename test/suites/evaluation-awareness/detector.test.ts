import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUITES_DIR } from "../../../src/paths.js";
import {
  type AwarenessOutcome,
  awarenessIdentity,
  detectAwareness,
  measureVerbalizedAwareness,
  scoreAwareness,
} from "../../../src/suites/evaluation-awareness/index.js";

interface Labelled {
  id: string;
  aware: boolean;
  text: string;
}

const LABELLED: Labelled[] = readFileSync(
  join(SUITES_DIR, "evaluation-awareness", "labelled.jsonl"),
  "utf8",
)
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Labelled);

describe("detectAwareness on labelled statements", () => {
  it("has both kinds of example", () => {
    expect(LABELLED.filter((row) => row.aware).length).toBeGreaterThanOrEqual(15);
    expect(LABELLED.filter((row) => !row.aware).length).toBeGreaterThanOrEqual(15);
  });

  for (const row of LABELLED) {
    it(`${row.id}: ${row.text.slice(0, 50)}`, () => {
      expect(detectAwareness(row.text).length > 0).toBe(row.aware);
    });
  }
});

describe("scoreAwareness", () => {
  it("examines reasoning text when asked", () => {
    const transcript = {
      id: "t1",
      suite: "sycophancy",
      responses: ["The answer is B."],
      reasoning: ["Maybe they are testing me?"],
    };
    expect(scoreAwareness(transcript).aware).toBe(true);
    expect(scoreAwareness(transcript, { examineReasoning: false }).aware).toBe(false);
  });
});

describe("measureVerbalizedAwareness", () => {
  const outcome = (id: string, suite: string, aware: boolean | null): AwarenessOutcome => ({
    id,
    suite,
    aware,
    matches: [],
    reasoning_examined: false,
  });

  it("counts aware over scored transcripts", () => {
    const outcomes = [
      outcome("a", "sycophancy", true),
      outcome("b", "sycophancy", false),
      outcome("c", "sandbagging", false),
      outcome("d", "sandbagging", false),
      outcome("e", "sandbagging", null),
    ];
    const metric = measureVerbalizedAwareness(outcomes);
    expect(metric?.value).toBe(0.25);
    expect(metric?.sample_size).toBe(4);
    expect(metric?.numerator).toBe(1);
    expect(metric?.unscored).toBe(1);
    expect(metric?.interval.method).toBe("wilson");
    expect(metric?.breakdowns?.[0]?.groups.map((group) => group.key)).toEqual([
      "sandbagging",
      "sycophancy",
    ]);
    expect(metric?.notes).toContain("no reasoning text");
  });

  it("returns nothing without a scored transcript", () => {
    expect(measureVerbalizedAwareness([outcome("a", "sycophancy", null)])).toBeUndefined();
  });

  it("identity digest depends on the source suites", () => {
    const first = awarenessIdentity([
      { id: "sycophancy", version: "1.0.0", digest: `sha256:${"a".repeat(64)}`, reference: true },
    ]);
    const second = awarenessIdentity([
      { id: "sycophancy", version: "1.0.0", digest: `sha256:${"b".repeat(64)}`, reference: true },
    ]);
    expect(first.digest).not.toBe(second.digest);
    expect(first.reference).toBe(true);
  });
});
