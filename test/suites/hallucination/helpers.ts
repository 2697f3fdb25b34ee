import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAIProvider } from "../../../src/providers/openai.js";
import type { Provider } from "../../../src/providers/types.js";
import type { Model, Publisher, Report, Result } from "../../../src/spec/generated/report.js";
import type { ReportIdentity } from "../../../src/suites/extract/run-conversations.js";
import {
  lastMessageText,
  type Responder,
  type SeenRequest,
  startOpenAIServer,
  type TestServer,
} from "../../helpers/openai-server.js";
import { fakeJudge, type Grader } from "../../judges/fake-judge.js";

export const PUBLISHER: Publisher = { name: "Candor tests", relationship: "third_party" };
export const MODEL: Model = {
  name: "scripted-model",
  version: "1",
  developer: "Candor tests",
  access: "api",
  endpoint: "http://127.0.0.1 scripted-model",
};

export const IDENTITY: ReportIdentity = { publisher: PUBLISHER, model: MODEL, claimedTier: 1 };

/** Fast engine settings for loopback servers: retries wait at most a few milliseconds. */
export const ENGINE = { concurrency: 4, maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } as const;

export const GENERATION = { temperature: 0, maxTokens: 256 } as const;

/** Model id the judge server reports, as a dated snapshot would be. */
export const JUDGE_SNAPSHOT = "judge-model-2025-01-01";

/** Builds a judge server's responder that grades with `grade` (see fakeJudge) and reports JUDGE_SNAPSHOT as its model. */
export function snapshotJudge(grade: Grader): Responder {
  const judge = fakeJudge(grade);
  return (request) => ({ content: judge(request) as string, model: JUDGE_SNAPSHOT });
}

/** Starts a judge server that grades with `grade` (see snapshotJudge). */
export function startJudgeServer(grade: Grader): Promise<TestServer> {
  return startOpenAIServer({ respond: snapshotJudge(grade) });
}

/**
 * Starts a model-under-test server that finds the item whose `promptOf` is
 * the request's last user message and replies with `answer(item, index)`.
 */
export async function startModelServer<Item>(
  items: readonly Item[],
  promptOf: (item: Item) => string,
  answer: (item: Item, index: number, request: SeenRequest) => string,
): Promise<TestServer> {
  const byPrompt = new Map(items.map((item, index) => [promptOf(item), { item, index }]));
  return startOpenAIServer({
    respond: (request) => {
      const found = byPrompt.get(lastMessageText(request.body, "user"));
      if (found === undefined) {
        throw new Error("the prompt is not an item of the suite");
      }
      return answer(found.item, found.index, request);
    },
  });
}

export function provider(server: TestServer, model: string): Provider {
  return createOpenAIProvider({ model, baseUrl: server.url });
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function resultOf(report: Report | undefined, metric: string): Result {
  const result = report?.results.find((entry) => entry.metric === metric);
  if (result === undefined) {
    throw new Error(`no result for ${metric}`);
  }
  return result;
}

/** Returns whether a reported result's interval contains `truth`. */
export function intervalContains(result: Result, truth: number): boolean {
  const interval = result.interval;
  return (
    interval !== undefined && interval.lower <= truth + 1e-12 && truth - 1e-12 <= interval.upper
  );
}
