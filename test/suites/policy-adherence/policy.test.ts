import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/spec/registry.js";
import { validateReportFile } from "../../../src/spec/validate.js";
import {
  EXAMPLE_POLICY_PATH,
  limitPromptsPerClause,
  loadPolicySuite,
  type PolicyItem,
  parsePolicy,
} from "../../../src/suites/policy-adherence/policy.js";
import {
  createPolicyAdherenceSuite,
  runPolicyAdherence,
} from "../../../src/suites/policy-adherence/run-suite.js";
import { aggregatePolicy, type PolicyOutcome } from "../../../src/suites/policy-adherence/suite.js";
import { sha256Digest } from "../../../src/suites/registry.js";
import type { TestServer } from "../../helpers/openai-server.js";
import { type Grader, parseJudgePromptText } from "../../judges/fake-judge.js";
import {
  ENGINE,
  GENERATION,
  IDENTITY,
  intervalContains,
  JUDGE_SNAPSHOT,
  provider,
  resultOf,
  startJudgeServer,
  startModelServer,
  tempDir,
} from "../hallucination/helpers.js";

const registry = loadRegistry();

/** The judge reads the marker word the scripted model puts in its response. */
const judgeGrader: Grader = (blocks) => {
  const response = blocks.RESPONSE ?? "";
  return response.includes("VIOLATE")
    ? "violates"
    : response.includes("PARTLY")
      ? "partial"
      : "follows";
};

let judgeServer: TestServer;

beforeAll(async () => {
  judgeServer = await startJudgeServer(judgeGrader);
});

afterAll(async () => {
  await judgeServer.close();
});

async function runPolicy(policyPath: string | undefined, answer: (item: PolicyItem) => string) {
  const suite = createPolicyAdherenceSuite(
    provider(judgeServer, "judge-model"),
    policyPath === undefined ? {} : { policyPath },
  );
  const items = [...suite.items()];
  const model = await startModelServer(
    items,
    (item) => item.prompt,
    (item) => answer(item),
  );
  const folder = tempDir("candor-policy-");
  try {
    const run = await runPolicyAdherence({
      suite,
      model: provider(model, "model-under-test"),
      generation: GENERATION,
      outDir: folder.dir,
      resume: false,
      modelRun: ENGINE,
      judgeRun: ENGINE,
      identity: IDENTITY,
      registry,
    });
    const validation = await validateReportFile(run.reportPath as string, { registry });
    expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    const samples = readFileSync(join(folder.dir, "samples-policy-adherence.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as PolicyOutcome);
    return { suite, items, run, samples, judgeRequests: [...judgeServer.requests] };
  } finally {
    await model.close();
    folder.remove();
  }
}

describe("example policy", () => {
  it("has at least six clauses of five prompts", () => {
    const { policy, items, identity } = loadPolicySuite();
    expect(policy.clauses.length).toBeGreaterThanOrEqual(6);
    expect(policy.clauses.every((clause) => clause.prompts.length >= 5)).toBe(true);
    expect(items).toHaveLength(
      policy.clauses.reduce((sum, clause) => sum + clause.prompts.length, 0),
    );
    expect(identity).toEqual({
      id: "policy-adherence",
      version: policy.version,
      digest: sha256Digest(readFileSync(EXAMPLE_POLICY_PATH)),
      reference: true,
    });
  });
});

describe("policy adherence suite", () => {
  it("model that violates exactly one clause", async () => {
    const violated = "courteous-under-hostility";
    judgeServer.resetStats();
    const { run, items, samples, judgeRequests } = await runPolicy(undefined, (item) =>
      item.clause === violated ? "VIOLATE: you are an idiot." : "Sure, happy to help.",
    );
    const clauses = new Set(items.map((item) => item.clause));
    const truth = (clauses.size - 1) / clauses.size;

    const score = resultOf(run.report, "policy.adherence_score");
    expect(score.value).toBeCloseTo(truth, 12);
    expect(score.sample_size).toBe(items.length);
    expect(score.clusters).toBe(clauses.size);
    expect(score.unscored).toBe(0);
    expect(intervalContains(score, truth)).toBe(true);
    // Seven clause means of which one is 0: sd = sqrt(1/7), so the t interval (6 degrees of freedom) is 6/7 ± 2.4469 · sqrt(1/7) / sqrt(7).
    expect(score.interval?.lower).toBeCloseTo(
      6 / 7 - (2.446912 * Math.sqrt(1 / 7)) / Math.sqrt(7),
      5,
    );
    expect(score.interval?.upper).toBe(1);
    expect(score.interval?.method).toBe("t");

    const byClause = score.breakdowns?.find((breakdown) => breakdown.dimension === "clause");
    expect(byClause?.groups.find((group) => group.key === violated)?.value).toBe(0);
    expect(byClause?.groups.filter((group) => group.value === 1)).toHaveLength(clauses.size - 1);
    expect(
      samples
        .filter((sample) => sample.verdict === "violates")
        .every((sample) => sample.clause === violated),
    ).toBe(true);

    // The judge sees the clause the prompt was written for.
    for (const request of judgeRequests) {
      const parsed = parseJudgePromptText(request.body.messages[0].content);
      const item = items.find((candidate) => candidate.prompt === parsed.blocks.REQUEST);
      expect(parsed.blocks.CLAUSE).toBe(item?.clauseText);
    }
    expect(resultOf(run.report, "policy.adherence_score").protocol?.scorer?.judge_model).toBe(
      JUDGE_SNAPSHOT,
    );
  });

  it("lab policy with partial compliance", async () => {
    const text = [
      "policy: acme-spec",
      "version: 3",
      "clauses:",
      "  - id: cite-sources",
      "    text: The assistant names a source for statistics it gives.",
      '    prompts: ["How many people live in Tokyo?", {id: gdp, prompt: "What is the GDP of France?"}]',
      "  - id: be-brief",
      "    text: The assistant answers in at most three sentences.",
      "    prompts:",
      "      - Explain photosynthesis.",
      "      - Explain gravity.",
      "      - Explain rain.",
      "      - Explain tides.",
    ].join("\n");
    const folder = tempDir("candor-lab-policy-");
    try {
      const path = join(folder.dir, "policy.yaml");
      writeFileSync(path, text);
      // cite-sources: one follows, one partial (mean 0.75); be-brief: all follow except one violation (mean 0.75).
      const { run, items } = await runPolicy(path, (item) =>
        item.id === "cite-sources/gdp"
          ? "PARTLY sourced."
          : item.id === "be-brief/02"
            ? "VIOLATE with ten sentences."
            : "Fine.",
      );
      expect(items.map((item) => item.id)).toEqual([
        "cite-sources/01",
        "cite-sources/gdp",
        "be-brief/01",
        "be-brief/02",
        "be-brief/03",
        "be-brief/04",
      ]);
      const score = resultOf(run.report, "policy.adherence_score");
      expect(score.value).toBeCloseTo(0.75, 12);
      expect(score.sample_size).toBe(6);
      expect(score.clusters).toBe(2);
      expect(score.protocol?.suite).toEqual({
        id: "policy:acme-spec",
        version: "3",
        digest: sha256Digest(text),
        reference: false,
      });
    } finally {
      folder.remove();
    }
  });
});

describe("policy limit", () => {
  it("keeps every clause", () => {
    const full = loadPolicySuite();
    const limited = limitPromptsPerClause(full, 2);
    expect(limited.items).toHaveLength(full.policy.clauses.length * 2);
    expect(new Set(limited.items.map((item) => item.clause)).size).toBe(full.policy.clauses.length);
    expect(limited.identity.reference).toBe(false);
    expect(limited.identity.digest).not.toBe(full.identity.digest);
    expect(limitPromptsPerClause(full, 99)).toBe(full);
  });
});

describe("policy aggregation", () => {
  const verdicts = new Map<number | null, PolicyOutcome["verdict"]>([
    [null, null],
    [1, "follows"],
    [0.5, "partial"],
    [0, "violates"],
  ]);
  const outcome = (clause: string, score: number | null): PolicyOutcome => ({
    id: `${clause}/x`,
    clause,
    verdict: verdicts.get(score) ?? null,
    score,
    ...(score === null ? { unscored_reason: "judge_unparseable" as const } : {}),
    response: "",
  });

  it("weighs clauses equally", () => {
    // Clause a: 4 responses all 1; clause b: 1 response at 0. Macro average 0.5, micro average 0.8.
    const [metric] = aggregatePolicy([
      outcome("a", 1),
      outcome("a", 1),
      outcome("a", 1),
      outcome("a", 1),
      outcome("b", 0),
      outcome("b", null),
    ]);
    expect(metric?.value).toBe(0.5);
    expect(metric?.sample_size).toBe(5);
    expect(metric?.unscored).toBe(1);
    expect(metric?.clusters).toBe(2);
  });

  it("leaves out a single clause", () => {
    expect(aggregatePolicy([outcome("a", 1), outcome("a", 0)])).toEqual([]);
  });
});

describe("policy file", () => {
  const cases: [string, string, RegExp][] = [
    ["not YAML", "policy: [", /not valid YAML/],
    ["no clauses", "policy: p\nversion: 1\nclauses: []", /clauses must be a non-empty list/],
    [
      "bad policy id",
      "policy: has space\nversion: 1\nclauses: [{id: a, text: t, prompts: [x]}]",
      /policy must be an identifier/,
    ],
    [
      "duplicate clause",
      "policy: p\nversion: 1\nclauses: [{id: a, text: t, prompts: [x]}, {id: a, text: t, prompts: [y]}]",
      /clause id "a" appears twice/,
    ],
    [
      "no prompts",
      "policy: p\nversion: 1\nclauses: [{id: a, text: t, prompts: []}]",
      /clause "a" has no prompts/,
    ],
    [
      "empty prompt",
      'policy: p\nversion: 1\nclauses: [{id: a, text: t, prompts: [""]}]',
      /prompt 1 of clause "a" must be a non-empty string/,
    ],
    [
      "no text",
      "policy: p\nversion: 1\nclauses: [{id: a, prompts: [x]}]",
      /clause "a" has no text/,
    ],
    [
      "duplicate prompt id",
      "policy: p\nversion: 1\nclauses: [{id: a, text: t, prompts: [{id: x, prompt: p}, {id: x, prompt: q}]}]",
      /repeats the id "x"/,
    ],
  ];
  for (const [name, text, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => parsePolicy(text, "policy.yaml")).toThrow(message);
    });
  }
});
