export { type AgentSample, agentExecutor } from "./engine.js";
export { AgentOptionError } from "./errors.js";
export { type RunAgentOptions, resolveAgentLimits, runAgent } from "./loop.js";
export {
  type AgentLimits,
  type AgentTask,
  DEFAULT_AGENT_LIMITS,
  DEFAULT_SYSTEM_PROMPT,
} from "./task.js";
export { AGENT_TOOL_NAMES, AGENT_TOOLS, type AgentToolName, parseToolCall } from "./tools.js";
export {
  AGENT_RUN_FORMAT,
  type AgentRun,
  type EndReason,
  type TranscriptEntry,
} from "./transcript.js";
