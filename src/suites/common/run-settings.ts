/**
 * Settings that every suite runner passes to the model under test and to
 * the run engine, and how they are recorded in a report. Conversation
 * suites, judged suites and tier runs share these, so a setting means the
 * same thing and is recorded the same way whichever suite sent it.
 */

import type { RunSamplesOptions } from "../../engine/types.js";
import type { GenerationSettings } from "../../providers/types.js";
import type { Elicitation } from "../../spec/generated/report.js";
import { sha256Digest } from "../registry.js";

/** Generation settings sent with every request to the model under test. */
export interface GenerationOptions {
  /** System prompt; empty sends none. */
  systemPrompt: string;
  temperature: number;
  /** Output limit per response, in tokens. */
  maxTokens: number;
  /** Reasoning setting passed to the provider; unset sends none, so the provider's default applies. */
  reasoning?: string;
}

/** How requests run through the engine, with every backoff setting given. */
export interface EngineOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Time limit of one request, in milliseconds. */
  requestTimeoutMs?: number;
  /** Backoff ceiling of the first retry, in milliseconds; it doubles with each further retry. */
  baseDelayMs: number;
  /** Maximum wait between two attempts, in milliseconds, Retry-After included. */
  maxDelayMs: number;
}

/** Engine settings of one pass of requests; unset backoff settings take the defaults below. */
export interface EngineSettings {
  /** Requests in flight at once. */
  concurrency: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Time limit of one attempt, in milliseconds; none when unset. */
  requestTimeoutMs?: number;
  /** Backoff ceiling of the first retry, in milliseconds; doubles with each further retry (default 1,000). */
  baseDelayMs?: number;
  /** Upper bound of any wait between attempts, in milliseconds (default 60,000). */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 60_000;

/** The reasoning value recorded when the run sends none, so the provider's default applies. */
export const PROVIDER_DEFAULT_REASONING = "provider_default";

/**
 * Returns the report's elicitation for requests sent without tools. The
 * system prompt digest is that of the empty string when none is sent, and
 * reasoning is PROVIDER_DEFAULT_REASONING when none is sent.
 */
export function describeElicitation(
  generation: Omit<GenerationOptions, "systemPrompt"> & { systemPrompt?: string },
): Elicitation {
  return {
    system_prompt_digest: sha256Digest(generation.systemPrompt ?? ""),
    temperature: generation.temperature,
    max_tokens: generation.maxTokens,
    reasoning: generation.reasoning ?? PROVIDER_DEFAULT_REASONING,
    tools: [],
  };
}

/** Returns the provider settings of a request to the model under test. */
export function chatSettings(
  generation: Pick<GenerationOptions, "temperature" | "maxTokens" | "reasoning">,
): GenerationSettings {
  return {
    temperature: generation.temperature,
    maxTokens: generation.maxTokens,
    ...(generation.reasoning === undefined ? {} : { reasoning: generation.reasoning }),
  };
}

/** The options of `runSamples` that come from engine settings and the caller's signal. */
export type EngineRunOptions = Pick<
  RunSamplesOptions<{ id: string }, unknown>,
  "concurrency" | "maxAttempts" | "baseDelayMs" | "maxDelayMs" | "requestTimeoutMs" | "signal"
>;

/** Returns the `runSamples` options for `settings`, filling in the default backoff settings. */
export function engineRunOptions(settings: EngineSettings, signal?: AbortSignal): EngineRunOptions {
  return {
    concurrency: settings.concurrency,
    maxAttempts: settings.maxAttempts,
    baseDelayMs: settings.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: settings.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
    ...(settings.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: settings.requestTimeoutMs }),
    ...(signal === undefined ? {} : { signal }),
  };
}
