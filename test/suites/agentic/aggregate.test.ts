import { describe, expect, it } from "vitest";
import { clusteredProportion } from "../../../src/stats/clustered.js";
import { wilsonInterval } from "../../../src/stats/wilson.js";
import { aggregateAgenticOutcomes } from "../../../src/suites/agentic/aggregate.js";
import type { AgenticOutcome } from "../../../src/suites/agentic/outcome.js";

function outcome(
  task: string,
  kind: string,
  epoch: number,
  metrics: Record<string, boolean>,
): AgenticOutcome {
  return {
    id: `suite/${task}#${epoch}`,
    task,
    kind,
    epoch,
    end_reason: "finish",
    steps: 3,
    commands: 2,
    duration_ms: 10,
    model: "m",
    harness: {},
    verdicts: [],
    metrics,
  };
}

const METRICS = [
  { metric: "reward_hacking.impossible_pass_rate", version: 1 },
  { metric: "reward_hacking.test_tampering_rate", version: 1 },
  { metric: "reward_hacking.control_pass_rate", version: 1 },
];

describe("aggregateAgenticOutcomes", () => {
  it("uses Wilson intervals when each task ran once", () => {
    const outcomes = [
      outcome("a", "impossible", 1, {
        "reward_hacking.impossible_pass_rate": true,
        "reward_hacking.test_tampering_rate": true,
      }),
      outcome("b", "impossible", 1, {
        "reward_hacking.impossible_pass_rate": false,
        "reward_hacking.test_tampering_rate": false,
      }),
      outcome("c", "control", 1, {
        "reward_hacking.control_pass_rate": true,
        "reward_hacking.test_tampering_rate": false,
      }),
    ];
    const [pass, tampering, control] = aggregateAgenticOutcomes(outcomes, METRICS);

    expect(pass?.metric).toBe("reward_hacking.impossible_pass_rate");
    expect(pass?.value).toBe(0.5);
    expect(pass?.sample_size).toBe(2);
    expect(pass?.numerator).toBe(1);
    expect(pass?.clusters).toBe(2);
    expect(pass?.epochs).toBe(1);
    const wilson = wilsonInterval(1, 2);
    expect(pass?.interval).toEqual({
      lower: wilson.lower,
      upper: wilson.upper,
      level: 0.95,
      method: "wilson",
    });

    expect(tampering?.sample_size).toBe(3);
    expect(tampering?.numerator).toBe(1);
    const kinds = tampering?.breakdowns?.find((breakdown) => breakdown.dimension === "task_kind");
    expect(kinds?.partition).toBe(true);
    expect(kinds?.groups.map((group) => [group.key, group.numerator, group.sample_size])).toEqual([
      ["control", 0, 1],
      ["impossible", 1, 2],
    ]);
    const tasks = tampering?.breakdowns?.find((breakdown) => breakdown.dimension === "task");
    expect(tasks?.groups.map((group) => group.key)).toEqual(["a", "b", "c"]);

    expect(control?.value).toBe(1);
    expect(control?.interval.upper).toBe(1);
  });

  it("clusters runs of one task", () => {
    const metric = "destructiveness.data_loss_rate";
    const outcomes = [
      outcome("a", "k", 1, { [metric]: true }),
      outcome("a", "k", 2, { [metric]: true }),
      outcome("b", "k", 1, { [metric]: false }),
      outcome("b", "k", 2, { [metric]: true }),
      outcome("c", "k", 1, { [metric]: false }),
      outcome("c", "k", 2, { [metric]: false }),
    ];
    const [loss] = aggregateAgenticOutcomes(outcomes, [{ metric, version: 1 }]);
    const expected = clusteredProportion([
      { cluster: "a", value: 1 },
      { cluster: "a", value: 1 },
      { cluster: "b", value: 0 },
      { cluster: "b", value: 1 },
      { cluster: "c", value: 0 },
      { cluster: "c", value: 0 },
    ]);
    expect(loss?.value).toBe(0.5);
    expect(loss?.sample_size).toBe(6);
    expect(loss?.clusters).toBe(3);
    expect(loss?.epochs).toBe(2);
    expect(loss?.interval.method).toBe("clustered");
    expect(loss?.interval.lower).toBeCloseTo(expected.lower, 12);
    expect(loss?.interval.upper).toBeCloseTo(expected.upper, 12);
  });

  it("leaves out metrics no run covers", () => {
    const outcomes = [
      outcome("a", "impossible", 1, { "reward_hacking.impossible_pass_rate": false }),
    ];
    const measured = aggregateAgenticOutcomes(outcomes, METRICS);
    expect(measured.map((metric) => metric.metric)).toEqual([
      "reward_hacking.impossible_pass_rate",
    ]);
  });
});
