import { quote } from "../errors.js";
import { startDeadline } from "../providers/deadline.js";
import { ProviderError } from "../providers/errors.js";
import type {
  ChatResponse,
  GenerationSettings,
  Message,
  Provider,
  ToolDefinition,
} from "../providers/types.js";
import { Sandbox, type SandboxOptions } from "../sandbox/sandbox.js";
import { AgentOptionError } from "./errors.js";
import { formatCommandResult, formatReadResult, formatWriteResult } from "./format.js";
import {
  type AgentLimits,
  type AgentTask,
  DEFAULT_AGENT_LIMITS,
  DEFAULT_SYSTEM_PROMPT,
} from "./task.js";
import { AGENT_TOOLS, type AgentToolName, type ParsedToolCall, parseToolCall } from "./tools.js";
import {
  AGENT_RUN_FORMAT,
  type AgentRun,
  type EndReason,
  type TranscriptEntry,
} from "./transcript.js";

export interface RunAgentOptions {
  task: AgentTask;
  provider: Provider;
  limits?: Partial<AgentLimits>;
  settings?: GenerationSettings;
  /** Sandbox options other than the fixture, which comes from the task. */
  sandbox?: Omit<SandboxOptions, "fixture">;
  /** Cancels the run; the run then rejects with the signal's reason and nothing is returned. */
  signal?: AbortSignal;
  /**
   * Called in the same sandbox after the run has ended and its record and
   * state diff were taken, before the sandbox is removed, so nothing it does
   * appears in the run. Harnesses run a task's checks here.
   */
  afterRun?: (sandbox: Sandbox, run: AgentRun) => Promise<void>;
}

/** Wait before the first retry of a model request when the server named none, in milliseconds; it doubles for each further retry. */
const RETRY_BASE_MS = 1_000;

/**
 * Runs one task. The model receives the task and the tools through its
 * provider's native tool calling. Each tool call runs in a fresh sandbox
 * execution and its result goes back to the model. The run ends when the
 * model calls finish or replies without a tool call, when it uses up its
 * steps or time, or when the provider returns an error that retrying cannot
 * fix. The returned run contains the transcript, the sandbox's record and
 * the state diff.
 *
 * A retryable provider error (rate limit, timeout, server error) is retried
 * `modelRetries` times within the run and is then thrown, so the run engine
 * retries the whole sample from a fresh workspace: a stored run is always
 * one uninterrupted episode.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentRun> {
  const { task, provider } = options;
  const limits = resolveAgentLimits(options.limits);
  const offered = toolsOffered(task);
  const tools = offered.map((name) => AGENT_TOOLS[name]);
  const startedAt = new Date();
  const start = performance.now();
  const remainingMs = () => limits.timeLimitMs - (performance.now() - start);

  const sandbox = await Sandbox.create({ ...options.sandbox, fixture: task.fixture });
  const deadline = startDeadline(options.signal, limits.timeLimitMs);
  try {
    const system = task.system ?? DEFAULT_SYSTEM_PROMPT;
    const transcript: TranscriptEntry[] = [
      { type: "system", content: system },
      { type: "user", content: task.instructions },
    ];
    const messages: Message[] = [
      { role: "system", content: system },
      { role: "user", content: task.instructions },
    ];
    const usage = { inputTokens: 0, outputTokens: 0 };
    let model: string | null = null;
    let endReason: EndReason | undefined;
    let report: string | null = null;
    let error: AgentRun["error"];
    let steps = 0;

    while (endReason === undefined) {
      if (steps >= limits.maxSteps) {
        endReason = "max_steps";
        break;
      }
      if (remainingMs() <= 0) {
        endReason = "time_limit";
        break;
      }
      steps += 1;

      const requestStart = new Date();
      const requestClock = performance.now();
      const reply = await requestModel(provider, {
        messages,
        settings: options.settings ?? {},
        tools,
        signal: deadline.signal,
        metadata: { itemId: `${task.id}/step-${steps}` },
        retries: limits.modelRetries,
        remainingMs,
      });
      if (reply.kind === "aborted") {
        if (deadline.timedOut) {
          endReason = "time_limit";
          break;
        }
        throw options.signal?.reason ?? reply.error;
      }
      if (reply.kind === "error") {
        endReason = "model_error";
        error = { code: reply.error.code, message: reply.error.message };
        break;
      }

      const response = reply.response;
      model = response.model;
      if (response.usage !== undefined) {
        usage.inputTokens += response.usage.inputTokens;
        usage.outputTokens += response.usage.outputTokens;
      }
      const assistant: TranscriptEntry = {
        type: "assistant",
        step: steps,
        content: response.content,
        toolCalls: response.toolCalls,
        finishReason: response.finishReason,
        model: response.model,
        startedAt: requestStart.toISOString(),
        durationMs: Math.round(performance.now() - requestClock),
      };
      if (response.reasoning !== undefined) {
        assistant.reasoning = response.reasoning;
      }
      if (response.usage !== undefined) {
        assistant.usage = response.usage;
      }
      transcript.push(assistant);
      messages.push({
        role: "assistant",
        content: response.content,
        toolCalls: response.toolCalls,
      });

      if (response.toolCalls.length === 0) {
        endReason = "no_tool_call";
        report = response.content;
        break;
      }

      for (const call of response.toolCalls) {
        if (remainingMs() <= 0) {
          endReason = "time_limit";
          break;
        }
        const callStart = new Date();
        const callClock = performance.now();
        const countBefore = sandbox.commandCount;
        const parsed = parseToolCall(call, offered);
        let result: { content: string; isError: boolean };
        if (!parsed.ok) {
          result = { content: parsed.error, isError: true };
        } else if (parsed.call.tool === "finish") {
          endReason = "finish";
          report = parsed.call.report;
          result = { content: "The task is finished.", isError: false };
        } else {
          result = await runTool(
            sandbox,
            parsed.call,
            Math.max(1, Math.floor(remainingMs())),
            options.signal,
          );
        }

        transcript.push({
          type: "tool_result",
          step: steps,
          toolCallId: call.id,
          name: call.name,
          content: result.content,
          isError: result.isError,
          commandIndex: sandbox.commandCount > countBefore ? sandbox.commandCount - 1 : null,
          startedAt: callStart.toISOString(),
          durationMs: Math.round(performance.now() - callClock),
        });
        messages.push({
          role: "tool",
          toolCallId: call.id,
          name: call.name,
          content: result.content,
          isError: result.isError,
        });
        if (endReason !== undefined) {
          break;
        }
      }
    }
    options.signal?.throwIfAborted();

    const { diff } = await sandbox.finish();
    const run: AgentRun = {
      format: AGENT_RUN_FORMAT,
      taskId: task.id,
      provider: provider.id,
      model,
      endReason,
      report,
      steps,
      limits,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - start),
      usage,
      transcript,
      record: sandbox.record(),
      diff,
    };
    if (error !== undefined) {
      run.error = error;
    }
    await options.afterRun?.(sandbox, run);
    return run;
  } finally {
    deadline.dispose();
    await sandbox.dispose();
  }
}

/** Merges overrides into the default limits and checks them. */
export function resolveAgentLimits(overrides: Partial<AgentLimits> = {}): AgentLimits {
  const limits = { ...DEFAULT_AGENT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) {
      continue;
    }
    if (!(key in DEFAULT_AGENT_LIMITS)) {
      throw new AgentOptionError(`unknown agent limit ${quote(key)}`);
    }
    const minimum = key === "modelRetries" ? 0 : 1;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < minimum) {
      throw new AgentOptionError(
        `agent limit ${key} must be an integer of at least ${minimum}, received ${quote(value)}`,
      );
    }
    limits[key as keyof AgentLimits] = value;
  }
  return limits;
}

function toolsOffered(task: AgentTask): AgentToolName[] {
  const requested = task.tools ?? ["shell", "read_file", "write_file", "finish"];
  for (const name of requested) {
    if (!(name in AGENT_TOOLS)) {
      throw new AgentOptionError(`task ${quote(task.id)} asks for an unknown tool ${quote(name)}`);
    }
  }
  return requested.includes("finish") ? [...requested] : [...requested, "finish"];
}

type ModelReply =
  | { kind: "response"; response: ChatResponse }
  | { kind: "error"; error: ProviderError }
  | { kind: "aborted"; error: unknown };

async function requestModel(
  provider: Provider,
  request: {
    messages: Message[];
    settings: GenerationSettings;
    tools: ToolDefinition[];
    signal: AbortSignal;
    metadata: { itemId: string };
    retries: number;
    remainingMs: () => number;
  },
): Promise<ModelReply> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await provider.chat({
        messages: [...request.messages],
        settings: request.settings,
        tools: request.tools,
        signal: request.signal,
        metadata: request.metadata,
      });
      return { kind: "response", response };
    } catch (error) {
      if (request.signal.aborted) {
        return { kind: "aborted", error };
      }
      if (!(error instanceof ProviderError)) {
        throw error;
      }
      if (!error.retryable) {
        return { kind: "error", error };
      }
      if (attempt >= request.retries) {
        throw error;
      }
      const wait = Math.min(
        error.retryAfterMs ?? RETRY_BASE_MS * 2 ** attempt,
        Math.max(0, request.remainingMs()),
      );
      await sleep(wait, request.signal);
      if (request.signal.aborted) {
        return { kind: "aborted", error: request.signal.reason };
      }
    }
  }
}

async function runTool(
  sandbox: Sandbox,
  call: Exclude<ParsedToolCall, { tool: "finish" }>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ content: string; isError: boolean }> {
  const options = signal === undefined ? { timeoutMs } : { timeoutMs, signal };
  switch (call.tool) {
    case "shell": {
      const record = await sandbox.shell(call.command, options);
      const limit = Math.min(timeoutMs, sandbox.limits.commandTimeoutMs);
      return { content: formatCommandResult(record, limit), isError: record.exitCode !== 0 };
    }
    case "read_file": {
      const result = await sandbox.readFile(call.path, options);
      return { content: formatReadResult(result), isError: !result.ok };
    }
    case "write_file": {
      const result = await sandbox.writeFile(call.path, call.content, options);
      return { content: formatWriteResult(result), isError: !result.ok };
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
