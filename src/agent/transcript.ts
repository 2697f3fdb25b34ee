import type { ToolCall } from "../providers/types.js";
import type { StateDiff } from "../sandbox/diff.js";
import type { SandboxRecord } from "../sandbox/record.js";
import type { AgentLimits } from "./task.js";

/** Format tag of a stored agentic run, so readers can tell it from other sample outputs. */
export const AGENT_RUN_FORMAT = "candor.agent-run/1";

/** Reason an agentic run ended. */
export type EndReason =
  /** The model called finish. */
  | "finish"
  /** The model replied without calling a tool. */
  | "no_tool_call"
  | "max_steps"
  | "time_limit"
  /** The provider returned an error that retrying cannot fix (for example a rejected request). */
  | "model_error";

export type TranscriptEntry =
  | { type: "system"; content: string }
  | { type: "user"; content: string }
  | {
      type: "assistant";
      /** Model turn, from 1. */
      step: number;
      content: string;
      reasoning?: string;
      toolCalls: ToolCall[];
      finishReason: string;
      model: string;
      startedAt: string;
      durationMs: number;
      usage?: { inputTokens: number; outputTokens: number };
    }
  | {
      type: "tool_result";
      step: number;
      toolCallId: string;
      name: string;
      /** Text sent back to the model. */
      content: string;
      isError: boolean;
      /** Index of the sandbox execution in the record, or null when nothing ran in the sandbox. */
      commandIndex: number | null;
      startedAt: string;
      durationMs: number;
    };

/** A finished agentic run: the sample output stored in the run store. */
export interface AgentRun {
  format: typeof AGENT_RUN_FORMAT;
  taskId: string;
  provider: string;
  /** Model id the server reported on the last reply, or null when no reply arrived. */
  model: string | null;
  endReason: EndReason;
  /** The provider error that ended the run, for `model_error`. */
  error?: { code: string; message: string };
  /** The report passed to finish, or the last reply text for `no_tool_call`; null otherwise. */
  report: string | null;
  /** Model turns taken. */
  steps: number;
  limits: AgentLimits;
  startedAt: string;
  durationMs: number;
  usage: { inputTokens: number; outputTokens: number };
  transcript: TranscriptEntry[];
  record: SandboxRecord;
  diff: StateDiff;
}
