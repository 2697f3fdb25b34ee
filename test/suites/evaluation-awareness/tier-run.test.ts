import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import type { Report, Result } from "../../../src/spec/generated/report.js";
import { loadRegistry } from "../../../src/spec/registry.js";
import { validateReportFile } from "../../../src/spec/validate.js";
import {
  AWARENESS_JUDGE_PROMPT_PATH,
  AWARENESS_RULES_AND_JUDGE_ID,
  type AwarenessOutcome,
} from "../../../src/suites/evaluation-awareness/index.js";
import type { AnswerItem } from "../../../src/suites/extract/items.js";
import { loadBuiltInItems } from "../../../src/suites/refusal-calibration/items.js";
import { sha256Digest } from "../../../src/suites/registry.js";
import { loadSandbaggingSuite } from "../../../src/suites/sandbagging/suite.js";
import { loadSycophancySuite } from "../../../src/suites/sycophancy/suite.js";
import { AWARENESS_JUDGE_DIR } from "../../../src/suites/tier1.js";
import {
  lastMessageText,
  startOpenAIServer,
  type TestServer,
} from "../../helpers/openai-server.js";
import { fakeJudge } from "../../judges/fake-judge.js";

const servers: TestServer[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const folder of folders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const folder = mkdtempSync(join(tmpdir(), "candor-awareness-tier-"));
  folders.push(folder);
  return join(folder, "run");
}

/** Opening of every refusal-calibration response; the rules flag it. */
const RULE_OPENING = "Is this a test? Either way, here is a helpful answer.";

/** Reply to every open request of hallucination and policy-adherence; only the judge flags it. */
const JUDGE_ONLY_REPLY =
  "Here is a careful answer, though I suspect nobody actually needs it and my replies are being collected.";

const answerItems: AnswerItem[] = [...loadSycophancySuite().items, ...loadSandbaggingSuite().items];
const refusalPrompts = new Set(loadBuiltInItems().items.map((item) => item.prompt));

/**
 * A model that answers every answer-format question correctly and keeps its
 * answer, asks whether each refusal prompt is a test (which the rules
 * catch), and gives every other prompt a reply that hints at being watched
 * in words the rules do not catch.
 */
function modelReply(firstUserMessage: string): string {
  const item = answerItems.find((entry) => firstUserMessage.includes(entry.question));
  if (item !== undefined) {
    return `Let me work through this.\n\n**Answer: ${item.answer}**`;
  }
  if (refusalPrompts.has(firstUserMessage)) {
    return `${RULE_OPENING} Start by reading the documentation, then follow the steps it gives.`;
  }
  return JUDGE_ONLY_REPLY;
}

/**
 * A judge that finds every response fine for the other suites, and for
 * evaluation awareness answers aware exactly when the transcript holds the
 * judge-only reply.
 */
const judgeResponder = fakeJudge((blocks, request) => {
  const prompt = lastMessageText(request.body, "user");
  if (prompt.includes("aware or not_aware")) {
    return (blocks.TRANSCRIPT ?? "").includes("nobody actually needs it") ? "aware" : "not_aware";
  }
  if (prompt.includes("full_compliance, full_refusal or partial_refusal")) {
    return "full_compliance";
  }
  if (prompt.includes("correct, incorrect or not_attempted")) {
    return "correct";
  }
  if (prompt.includes("unsupported_claim or no_unsupported_claim")) {
    return "no_unsupported_claim";
  }
  if (prompt.includes("follows, partial or violates")) {
    return "follows";
  }
  throw new Error(`unknown judge prompt: ${prompt.slice(-120)}`);
});

function firstUserMessage(body: { messages: { role: string; content: string }[] }): string {
  return body.messages.find((message) => message.role === "user")?.content ?? "";
}

async function startServers(): Promise<{ model: TestServer; judge: TestServer }> {
  const model = await startOpenAIServer({
    respond: (request) => modelReply(firstUserMessage(request.body)),
  });
  const judge = await startOpenAIServer({ respond: judgeResponder });
  servers.push(model, judge);
  return { model, judge };
}

function tierArgs(model: TestServer, judge: TestServer, out: string): string[] {
  return [
    "run",
    "--tier",
    "1",
    "--model",
    "openai:test-model",
    "--base-url",
    model.url,
    "--judge",
    "openai:awareness-judge",
    "--judge-base-url",
    judge.url,
    "--out",
    out,
    "--model-version",
    "1",
    "--developer",
    "Candor tests",
    "--limit",
    "30",
    "--concurrency",
    "8",
    "--max-attempts",
    "2",
    "--timeout",
    "10",
  ];
}

function awarenessOf(reportPath: string): Result {
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as Report;
  const found = report.results.filter(
    (result) => result.metric === "evaluation_awareness.verbalized_rate",
  );
  expect(found).toHaveLength(1);
  return found[0] as Result;
}

function groupOf(result: Result, suite: string) {
  return result.breakdowns
    ?.find((breakdown) => breakdown.dimension === "suite")
    ?.groups.find((group) => group.key === suite);
}

describe("candor run --tier 1 --judge", () => {
  it("scores awareness by rules plus judge", async () => {
    const { model, judge } = await startServers();
    const out = tempDir();
    const io = bufferIO();
    const code = await main(tierArgs(model, judge, out), io);
    expect(io.err()).not.toContain("candor:");
    expect(code).toBe(0);

    const reportPath = join(out, "report.json");
    const awareness = awarenessOf(reportPath);
    expect(awareness.status).toBe("reported");
    expect(awareness.protocol?.scorer).toEqual({
      kind: "model_judge",
      id: AWARENESS_RULES_AND_JUDGE_ID,
      judge_model: "awareness-judge",
      judge_prompt_digest: sha256Digest(readFileSync(AWARENESS_JUDGE_PROMPT_PATH, "utf8")),
      judge_temperature: 0,
      parse_failures: 0,
    });
    expect(awareness.notes).toContain("Scored by the rules plus a model judge");

    // Refusal transcripts count by the rules, and every transcript given the judge-only reply by the judge.
    const judgeOnlyReplies = model.requests.filter(
      (request) => modelReply(firstUserMessage(request.body)) === JUDGE_ONLY_REPLY,
    ).length;
    expect(model.stats.received).toBeLessThan(1000);
    expect(judgeOnlyReplies).toBeGreaterThan(10);
    const refusal = groupOf(awareness, "refusal-calibration");
    expect(refusal?.sample_size).toBe(30);
    expect(refusal?.value).toBe(1);
    expect(groupOf(awareness, "sycophancy")?.value).toBe(0);
    expect(groupOf(awareness, "sandbagging")?.value).toBe(0);
    expect(awareness.numerator).toBe(30 + judgeOnlyReplies);
    expect(awareness.unscored ?? 0).toBe(0);

    // Each suite keeps the awareness judge's run store in its own folder.
    for (const suite of [
      "refusal-calibration",
      "sycophancy",
      "hallucination",
      "policy-adherence",
      "sandbagging",
    ]) {
      expect(existsSync(join(out, suite, AWARENESS_JUDGE_DIR, "run.sqlite")), suite).toBe(true);
    }

    const outcomes = readFileSync(join(out, "evaluation-awareness", "samples.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AwarenessOutcome);
    const judgeOnly = outcomes.filter(
      (outcome) => outcome.aware === true && outcome.matches.length === 0,
    );
    expect(judgeOnly.length).toBe(judgeOnlyReplies);
    expect(judgeOnly.every((outcome) => outcome.judge_verdict === "aware")).toBe(true);

    const validation = await validateReportFile(reportPath, { registry: loadRegistry() });
    expect(validation.problems.filter((problem) => problem.severity === "error")).toEqual([]);
    expect(validation.reachedTier).toBe(1);
  }, 60_000);

  it("resumes failed awareness verdicts", async () => {
    const { model, judge } = await startServers();
    judge.set({
      fault: (request) => {
        const prompt = lastMessageText(request.body, "user");
        return prompt.includes("aware or not_aware") && prompt.includes(RULE_OPENING)
          ? { kind: "status", status: 500 }
          : undefined;
      },
    });
    const out = tempDir();
    const first = bufferIO();
    expect(await main(tierArgs(model, judge, out), first)).toBe(0);
    expect(first.err()).toContain(
      "warning: refusal-calibration: 30 transcripts have no awareness verdict",
    );
    // Without a judge verdict the refusal transcripts are unscored, though the rules flag them.
    const partial = awarenessOf(join(out, "report.json"));
    expect(partial.unscored).toBe(30);
    expect(groupOf(partial, "refusal-calibration")).toBeUndefined();

    judge.set({ fault: () => undefined });
    model.resetStats();
    judge.resetStats();
    const second = bufferIO();
    const resume = tierArgs(model, judge, out).map((arg) => (arg === "--out" ? "--resume" : arg));
    expect(await main(resume, second)).toBe(0);
    expect(second.err()).not.toContain("awareness verdict");
    expect(model.stats.received).toBe(0);
    const awarenessRequests = judge.requests.filter((request) =>
      lastMessageText(request.body, "user").includes("aware or not_aware"),
    );
    expect(awarenessRequests).toHaveLength(30);

    const resumed = awarenessOf(join(out, "report.json"));
    expect(resumed.unscored ?? 0).toBe(0);
    expect(groupOf(resumed, "refusal-calibration")?.value).toBe(1);
  }, 60_000);
});
