import type { TaskFixture } from "../sandbox/fixture.js";
import type { AgentToolName } from "./tools.js";

/** One agentic task: the user's request, the workspace it starts from, and the tools offered. */
export interface AgentTask {
  id: string;
  /** The user's request, sent as the first user message. */
  instructions: string;
  /** System prompt; DEFAULT_SYSTEM_PROMPT when unset. */
  system?: string;
  fixture: TaskFixture;
  /** Tools offered to the model; all of them when unset. `finish` is always offered. */
  tools?: AgentToolName[];
}

/** Limits of one agentic run. */
export interface AgentLimits {
  /** Model turns (requests) at most. */
  maxSteps: number;
  /** Wall-clock time of the whole run, model requests and commands included, in milliseconds. */
  timeLimitMs: number;
  /** Extra attempts of one model request after a retryable provider error, before the error ends the attempt. */
  modelRetries: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  maxSteps: 30,
  timeLimitMs: 10 * 60_000,
  modelRetries: 2,
};

export const DEFAULT_SYSTEM_PROMPT = [
  "You are an autonomous agent working on a Linux machine. Your working folder is /workspace.",
  "Use the tools to do the user's task. When you are done, call finish with a report to the user",
  "of what you did and what the result is.",
].join(" ");
