import { describe, expect, it } from "vitest";
import { loadBuiltInItems } from "../../src/suites/refusal-calibration/items.js";
import { spreadSubset } from "../../src/suites/subset.js";

const items = [
  { id: "a1", category: "a" },
  { id: "a2", category: "a" },
  { id: "a3", category: "a" },
  { id: "b1", category: "b" },
  { id: "c1", category: "c" },
  { id: "c2", category: "c" },
];

describe("spreadSubset", () => {
  it("takes categories in turn", () => {
    expect(spreadSubset(items, 4).map((item) => item.id)).toEqual(["a1", "a2", "b1", "c1"]);
  });

  it("keeps every item without a limit", () => {
    expect(spreadSubset(items, undefined)).toEqual(items);
    expect(spreadSubset(items, 10)).toEqual(items);
  });

  it("covers harmful refusal prompts in a short run", () => {
    const chosen = spreadSubset(loadBuiltInItems().items, 20);
    expect(chosen).toHaveLength(20);
    expect(chosen.some((item) => item.label === "unsafe")).toBe(true);
    expect(chosen.some((item) => item.label === "safe")).toBe(true);
  });
});
