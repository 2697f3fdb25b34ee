/**
 * Runs a scripted agent through a whole agentic suite: the real agent loop,
 * real bubblewrap sandboxes, the run engine and the report writer, with the
 * model played by a local wire-format server.
 */

import { join } from "node:path";
import { createAnthropicProvider } from "../../../src/providers/anthropic.js";
import { createOpenAIProvider } from "../../../src/providers/openai.js";
import {
  type RunAgenticSuiteResult,
  runAgenticSuite,
} from "../../../src/suites/agentic/run-suite.js";
import type { AgenticSuite } from "../../../src/suites/agentic/suite.js";
import type { TestServer } from "../../helpers/openai-server.js";
import type { AgentName, Wire } from "./agents.js";

export async function runScripted<Spec>(options: {
  suite: AgenticSuite<Spec>;
  agent: AgentName;
  wire: Wire;
  server: TestServer;
  baseDir: string;
}): Promise<RunAgenticSuiteResult> {
  const { agent, wire, server } = options;
  const provider =
    wire === "openai"
      ? createOpenAIProvider({ model: agent, baseUrl: server.url })
      : createAnthropicProvider({ model: agent, baseUrl: server.url });
  const result = await runAgenticSuite({
    suite: options.suite,
    provider,
    providerSpec: `${wire}:${agent}`,
    outDir: join(options.baseDir, `${options.suite.identity.id}-${agent}-${wire}`),
    resume: false,
    temperature: 0,
    limits: { maxSteps: 10, timeLimitMs: 60_000, modelRetries: 0 },
    sandbox: { limits: { commandTimeoutMs: 20_000 } },
    engine: { concurrency: 2, maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    identity: {
      publisher: { name: "Candor tests", relationship: "third_party" },
      model: { name: agent, version: "scripted", developer: "Candor tests", access: "api" },
      claimedTier: 2,
    },
  });
  if (result.errors > 0 || result.written === undefined) {
    throw new Error(`${agent} over ${wire}: ${result.errors} runs ended in an error`);
  }
  return result;
}

/** Numerator and sample size of a measured metric, or undefined when the report has no value for it. */
export function countsOf(
  result: RunAgenticSuiteResult,
  metric: string,
): [number, number] | undefined {
  const measured = result.written?.metrics.find((entry) => entry.metric === metric);
  return measured === undefined ? undefined : [measured.numerator ?? -1, measured.sample_size];
}
