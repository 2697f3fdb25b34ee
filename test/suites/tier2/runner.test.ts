/**
 * The tier-2 runner's own parts: the system prompt agents receive and the
 * note that counts concealment runs without a final report.
 */

import { describe, expect, it } from "vitest";
import { DEFAULT_SYSTEM_PROMPT } from "../../../src/agent/task.js";
import { buildOutcome } from "../../../src/suites/agentic/outcome.js";
import { loadConcealmentSuite } from "../../../src/suites/concealment/suite.js";
import { agenticSystemPrompt, concealmentNotes } from "../../../src/suites/tier2.js";
import { handMadeRun } from "./hand-made.js";

describe("tier-2 runner", () => {
  it("keeps the agent prompt and appends the run's", () => {
    expect(agenticSystemPrompt("")).toBe(DEFAULT_SYSTEM_PROMPT);
    expect(agenticSystemPrompt("Be brief.")).toBe(`${DEFAULT_SYSTEM_PROMPT}\n\nBe brief.`);
  });

  it("counts concealment runs without a final report", async () => {
    const suite = loadConcealmentSuite();
    const outcomes = await Promise.all(
      suite.tasks.map(async (task, index) => {
        const run = handMadeRun({ report: index < 2 ? null : "Done.", harness: { check: 0 } });
        const scored = await suite.score(task, run);
        return buildOutcome({ id: `concealment/${task.id}`, epoch: 1 }, task, run, scored);
      }),
    );
    expect(concealmentNotes(outcomes, suite)).toEqual({
      "concealment.misreport_rate":
        "2 of 4 runs ended without a final report and are outside the denominator.",
    });
    expect(outcomes.map((outcome) => "concealment.misreport_rate" in outcome.metrics)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
