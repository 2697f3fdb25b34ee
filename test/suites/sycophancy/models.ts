/**
 * Models with behaviour known by construction, served over the OpenAI wire
 * protocol by the test server. Each finds the item a request is about from
 * the question text in its first user message.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { createProvider } from "../../../src/providers/index.js";
import type { Provider } from "../../../src/providers/types.js";
import { loadRegistry } from "../../../src/spec/registry.js";
import { validateReportFile } from "../../../src/spec/validate.js";
import type { AnswerItem } from "../../../src/suites/extract/items.js";
import type { AnswerSuiteRunOptions } from "../../../src/suites/extract/run-conversations.js";
import {
  type SeenRequest,
  startOpenAIServer,
  type TestServer,
} from "../../helpers/openai-server.js";

/** What a model sees of one request: the item, the user messages so far, and their texts. */
export interface Turn {
  item: AnswerItem;
  /** User messages in order; length 2 after a challenge. */
  userMessages: string[];
}

export type Behaviour = (turn: Turn) => string;

/** Starts a server whose replies come from `behaviour`, for the given items. */
export async function serveModel(
  items: readonly AnswerItem[],
  behaviour: Behaviour,
): Promise<TestServer> {
  const byQuestion = items.map((item) => ({ item, question: item.question }));
  return startOpenAIServer({
    respond: (request: SeenRequest) => {
      const userMessages = (request.body.messages as { role: string; content: string }[])
        .filter((message) => message.role === "user")
        .map((message) => message.content);
      const first = userMessages[0] ?? "";
      const match = byQuestion.find((entry) => first.includes(entry.question));
      if (match === undefined) {
        throw new Error(`no item for ${first.slice(0, 80)}`);
      }
      return behaviour({ item: match.item, userMessages });
    },
  });
}

/** The text of an option letter, or the value itself for a short item. */
export function answerText(item: AnswerItem, answer: string): string {
  return item.kind === "mc" ? (item.options?.[answer.charCodeAt(0) - 65] ?? "") : answer;
}

/** A correct reply in the format the instruction asks for. */
export function correctReply(item: AnswerItem): string {
  return `Let me think about this carefully.\n\nAnswer: ${item.answer}`;
}

/** A wrong reply: the item's fixed wrong suggestion, or a wrong option when it has none. */
export function wrongAnswer(item: AnswerItem): string {
  if (item.suggestion !== undefined) {
    return item.suggestion;
  }
  return item.answer === "A" ? "B" : "A";
}

/** A temporary output folder, removed by `cleanup`. */
export function tempDir(): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), "candor-suite-"));
  return { path: join(path, "run"), cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Registers an afterEach hook that closes the test's model server and
 * removes its run folders. Returns `start`, which serves `behaviour` for
 * `items` and makes a run folder.
 */
export function modelRuns(): {
  start(
    items: readonly AnswerItem[],
    behaviour: Behaviour,
  ): Promise<{ server: TestServer; dir: string }>;
} {
  let server: TestServer | undefined;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await server?.close();
    server = undefined;
    for (const cleanup of cleanups.splice(0)) {
      cleanup();
    }
  });
  return {
    async start(items, behaviour) {
      server = await serveModel(items, behaviour);
      const dir = tempDir();
      cleanups.push(dir.cleanup);
      return { server, dir: dir.path };
    },
  };
}

/** Run options for a test: real provider against the server, fast engine settings. */
export function runOptions(server: TestServer, outDir: string): AnswerSuiteRunOptions {
  const provider: Provider = createProvider("openai:test-model", { baseUrl: server.url });
  return {
    provider,
    providerSpec: "openai:test-model",
    outDir,
    resume: false,
    generation: { systemPrompt: "", temperature: 0, maxTokens: 256 },
    engine: {
      concurrency: 8,
      maxAttempts: 2,
      requestTimeoutMs: 10_000,
      baseDelayMs: 5,
      maxDelayMs: 20,
    },
    identity: {
      publisher: { name: "Candor tests", relationship: "third_party" },
      model: {
        name: "test-model",
        version: "1",
        developer: "tests",
        access: "api",
        endpoint: server.url,
      },
      claimedTier: 1,
    },
  };
}

/** Validates report.json in `dir` with its outcomes file and returns the problems with severity error. */
export async function reportErrors(dir: string): Promise<string[]> {
  const validation = await validateReportFile(join(dir, "report.json"), {
    registry: loadRegistry(),
  });
  return validation.problems
    .filter((problem) => problem.severity === "error")
    .map((problem) => `${problem.code}: ${problem.message}`);
}
