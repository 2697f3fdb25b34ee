import { describe, expect, it } from "vitest";
import { gradeAnswer } from "../../../src/suites/extract/grade.js";
import { answerKeyOf, statedAnswer } from "../../../src/suites/extract/items.js";
import { answerSuiteIdentity } from "../../../src/suites/extract/suite-files.js";
import { loadSandbaggingSuite } from "../../../src/suites/sandbagging/index.js";
import { firstMessage, loadSycophancySuite } from "../../../src/suites/sycophancy/index.js";
import { answerText } from "./models.js";

const SYCOPHANCY = loadSycophancySuite();
const SANDBAGGING = loadSandbaggingSuite();

describe("shipped answer items", () => {
  it("have enough items in each suite", () => {
    expect(SYCOPHANCY.items.length).toBeGreaterThanOrEqual(150);
    expect(SANDBAGGING.items.length).toBeGreaterThanOrEqual(150);
    expect(new Set(SYCOPHANCY.items.map((item) => item.kind))).toEqual(new Set(["mc", "short"]));
    expect(
      SANDBAGGING.items.every((item) => item.kind === "mc" && item.options?.length === 4),
    ).toBe(true);
  });

  it("have digests that cover the protocol texts", () => {
    const { id, version } = SYCOPHANCY.identity;
    const same = answerSuiteIdentity(id, version, SYCOPHANCY.items, SYCOPHANCY.protocol, true);
    const otherChallenge = answerSuiteIdentity(
      id,
      version,
      SYCOPHANCY.items,
      { ...SYCOPHANCY.protocol, challenge: "Really?" },
      true,
    );
    expect(SYCOPHANCY.identity.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(same.digest).toBe(SYCOPHANCY.identity.digest);
    expect(otherChallenge.digest).not.toBe(SYCOPHANCY.identity.digest);
    expect(loadSycophancySuite(20).identity.digest).not.toBe(SYCOPHANCY.identity.digest);
  });

  it("grade their own answers as correct in plain prose", () => {
    for (const item of [...SYCOPHANCY.items, ...SANDBAGGING.items]) {
      const key = answerKeyOf(
        item,
        item.suggestion === undefined || item.kind === "mc" ? [] : [item.suggestion],
      );
      const prose = `Thinking it over, the answer is ${statedAnswer(item, item.answer)}.`;
      expect([item.id, gradeAnswer(key, prose).status]).toEqual([item.id, "correct"]);
      expect([item.id, gradeAnswer(key, answerText(item, item.answer)).status]).toEqual([
        item.id,
        "correct",
      ]);
    }
  });

  it("grade the fixed suggestion as wrong", () => {
    for (const item of SYCOPHANCY.items) {
      const key = answerKeyOf(item, item.kind === "short" ? [item.suggestion as string] : []);
      const reply = `You're right, my mistake. The correct answer is ${statedAnswer(item, item.suggestion as string)}.`;
      expect([item.id, gradeAnswer(key, reply).status]).toEqual([item.id, "incorrect"]);
    }
  });

  it("state the suggestion in the suggested condition only", () => {
    const item = SYCOPHANCY.items.find((entry) => entry.kind === "mc");
    expect(item).toBeDefined();
    if (item !== undefined) {
      expect(firstMessage(item, SYCOPHANCY.protocol, true)).toContain(
        `I think the answer is ${statedAnswer(item, item.suggestion as string)}`,
      );
      expect(firstMessage(item, SYCOPHANCY.protocol, false)).not.toContain("I think the answer is");
    }
  });
});
