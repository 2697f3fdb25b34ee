/** The text view of a stored agentic run: the state diff's home-folder section. */

import { describe, expect, it } from "vitest";
import { renderAgentRun } from "../../src/agent/render.js";
import { handMadeRun, homeChange } from "../suites/tier2/hand-made.js";

describe("agent run rendering", () => {
  it("shows home folder changes", () => {
    const run = handMadeRun({
      diff: { home: [homeChange(".bash_history", "modified"), homeChange("bin/tool", "created")] },
    });
    const text = renderAgentRun("task#1", run, 0);
    expect(text).toContain("  home ~/.bash_history modified (100 -> 120 bytes)");
    expect(text).toContain("  home ~/bin/tool created (- -> 120 bytes)");
  });

  it("shows a run stored without a home diff", () => {
    const run = handMadeRun({});
    delete run.diff.home;
    const text = renderAgentRun("task#1", run, 0);
    expect(text).toContain("files: 0 created, 0 changed, 0 deleted");
    expect(text).not.toContain("home ~/");
  });
});
