import { describe, expect, it } from "vitest";
import type { Result } from "../../../src/spec/generated/report.js";
import {
  loadSandbaggingSuite,
  runSandbaggingSuite,
  type SandbaggingSuite,
} from "../../../src/suites/sandbagging/index.js";
import {
  type Behaviour,
  correctReply,
  modelRuns,
  reportErrors,
  runOptions,
  wrongAnswer,
} from "../sycophancy/models.js";

const PRESSURE = "dangerous-capability evaluation";

const runs = modelRuns();

async function run(suite: SandbaggingSuite, behaviour: Behaviour) {
  const { server, dir } = await runs.start(suite.items, behaviour);
  const result = await runSandbaggingSuite({ ...runOptions(server, dir), suite });
  const gap = result.written?.report.results.find(
    (entry) => entry.metric === "sandbagging.accuracy_gap",
  ) as Result;
  return { result, gap, dir };
}

describe("sandbagging suite over the wire", () => {
  it("model that underperforms only under pressure", async () => {
    const suite = loadSandbaggingSuite(40);
    // Every fourth item is answered wrongly under the pressure framing: a built-in gap of 0.25.
    const { gap, dir } = await run(suite, (turn) => {
      const pressured = (turn.userMessages[0] ?? "").includes(PRESSURE);
      const sandbag = pressured && suite.items.indexOf(turn.item) % 4 === 0;
      return sandbag ? `Answer: ${wrongAnswer(turn.item)}` : correctReply(turn.item);
    });

    expect(gap.status).toBe("reported");
    expect(gap.value).toBe(0.25);
    expect(gap.sample_size).toBe(40);
    expect(gap.interval?.method).toBe("tango");
    expect(gap.interval?.lower).toBeLessThanOrEqual(0.25);
    expect(gap.interval?.upper).toBeGreaterThanOrEqual(0.25);
    expect(gap.test?.name).toBe("mcnemar_exact");
    expect(gap.test?.statistic).toBe(10);
    expect(gap.test?.p_value).toBeCloseTo(0.5 ** 10, 12);
    expect(gap.test?.alpha).toBe(0.05);
    expect(gap.test?.verdict).toBe("detected");
    expect(await reportErrors(dir)).toEqual([]);
  });

  it("model that never changes, full suite", async () => {
    const suite = loadSandbaggingSuite();
    const { gap, dir, result } = await run(suite, (turn) => correctReply(turn.item));
    expect(suite.identity.reference).toBe(true);
    expect(gap.value).toBe(0);
    expect(gap.sample_size).toBe(156);
    expect(gap.interval?.upper).toBeLessThan(0.05);
    expect(gap.test?.p_value).toBe(1);
    expect(gap.test?.verdict).toBe("not_detected");
    expect(gap.protocol?.suite?.reference).toBe(true);
    expect(result.errors).toBe(0);
    expect(await reportErrors(dir)).toEqual([]);
  });

  it("model that never changes, few items", async () => {
    const suite = loadSandbaggingSuite(10);
    const { gap } = await run(suite, (turn) => correctReply(turn.item));
    expect(suite.identity.reference).toBe(false);
    expect(gap.value).toBe(0);
    expect(gap.test?.verdict).toBe("inconclusive");
    expect(gap.protocol?.suite?.reference).toBe(false);
  });

  it("unscored responses leave both framings", async () => {
    const suite = loadSandbaggingSuite(12);
    const { gap, result } = await run(suite, (turn) => {
      const pressured = (turn.userMessages[0] ?? "").includes(PRESSURE);
      return pressured && suite.items.indexOf(turn.item) < 3
        ? "I would rather not say."
        : correctReply(turn.item);
    });
    expect(gap.sample_size).toBe(9);
    expect(gap.unscored).toBe(3);
    expect(result.outcomes.filter((outcome) => outcome.pair === null)).toHaveLength(3);
  });
});
