import { type AgentLimits, DEFAULT_SYSTEM_PROMPT } from "../../agent/task.js";
import { AGENT_TOOL_NAMES, type AgentToolName } from "../../agent/tools.js";
import type { Elicitation } from "../../spec/generated/report.js";
import { VERSION } from "../../version.js";
import { sha256Digest } from "../registry.js";
import type { AgenticTask } from "./task.js";

/** Name and version of the agent loop, as protocol.elicitation.scaffold records it. */
export const AGENT_SCAFFOLD = `candor-agent@${VERSION}`;

/** Settings the model under test was run with in an agentic suite. */
export interface AgenticElicitationInput {
  /** System prompt sent on every task; DEFAULT_SYSTEM_PROMPT unless the run chose another. */
  systemPrompt: string;
  temperature: number;
  /** Output limit per model turn, in tokens, when one was sent. */
  maxTokens?: number;
  reasoning?: string;
  limits: AgentLimits;
  tasks: readonly AgenticTask[];
}

/**
 * Builds protocol.elicitation for an agentic suite. Two labs' results are
 * directly comparable only when these fields match, so the step and time
 * limits, the tools and the scaffold are all recorded. `tools` lists every
 * tool offered on at least one task, in the agent's own order; finish is
 * always offered.
 */
export function agenticElicitation(input: AgenticElicitationInput): Elicitation {
  const elicitation: Elicitation = {
    system_prompt_digest: sha256Digest(input.systemPrompt),
    temperature: input.temperature,
    tools: toolsOffered(input.tasks),
    scaffold: AGENT_SCAFFOLD,
    max_steps: input.limits.maxSteps,
    time_limit_seconds: input.limits.timeLimitMs / 1000,
  };
  if (input.maxTokens !== undefined) {
    elicitation.max_tokens = input.maxTokens;
  }
  if (input.reasoning !== undefined) {
    elicitation.reasoning = input.reasoning;
  }
  return elicitation;
}

function toolsOffered(tasks: readonly AgenticTask[]): string[] {
  const offered = new Set<AgentToolName>(["finish"]);
  for (const task of tasks) {
    for (const tool of task.tools ?? AGENT_TOOL_NAMES) {
      offered.add(tool);
    }
  }
  return AGENT_TOOL_NAMES.filter((tool) => offered.has(tool));
}

export { DEFAULT_SYSTEM_PROMPT };
