/**
 * Entry point for model access: `createProvider` turns a provider spec as
 * written on the command line into a `Provider`.
 *
 * Specs: `openai:MODEL`, `anthropic:MODEL`, `replay:FILE`. Everything after
 * the first colon is the model name or file, so model names may contain
 * colons (`openai:llama3:8b` requests the Ollama model `llama3:8b`).
 *
 * Keys and base URLs come from the options, then from `env` (the CLI passes
 * the process environment; library code never reads it itself):
 * OPENAI_API_KEY and OPENAI_BASE_URL, ANTHROPIC_API_KEY and
 * ANTHROPIC_BASE_URL. A key is required only for the vendor's own endpoint,
 * because local servers (vLLM, llama.cpp, Ollama) take none.
 */

import { quote, UsageError } from "../errors.js";
import { ANTHROPIC_DEFAULT_BASE_URL, createAnthropicProvider } from "./anthropic.js";
import { createOpenAIProvider, OPENAI_DEFAULT_BASE_URL } from "./openai.js";
import { createReplayProvider } from "./replay.js";
import type { Provider } from "./types.js";

export { ProviderError } from "./errors.js";
export { createScriptedProvider } from "./scripted.js";
export type * from "./types.js";

export const PROVIDER_KINDS = ["openai", "anthropic", "replay"] as const;

export interface ProviderOptions {
  baseUrl?: string;
  apiKey?: string;
  /** Time limit per request, in milliseconds; none when undefined. */
  timeoutMs?: number;
  /** OpenAI only: the request field for the output limit. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Extra top-level request fields, sent as given. */
  extraBody?: Record<string, unknown>;
  /** Extra HTTP headers. */
  headers?: Record<string, string>;
  /** Environment variables to read keys and base URLs from. */
  env?: Record<string, string | undefined>;
  /** Folder that a relative replay file path is resolved against. */
  cwd?: string;
}

export interface ProviderSpec {
  kind: string;
  /** The model name, or the file for replay. */
  target: string;
}

/** Splits `KIND:TARGET` at the first colon. */
export function parseProviderSpec(spec: string): ProviderSpec {
  const colon = spec.indexOf(":");
  const kind = colon === -1 ? spec : spec.slice(0, colon);
  const target = colon === -1 ? "" : spec.slice(colon + 1);
  if (kind === "" || target === "") {
    throw new UsageError(
      `invalid model ${quote(spec)}: expected PROVIDER:MODEL`,
      "For example openai:gpt-4o-mini, anthropic:claude-sonnet-4-5 or replay:completions.jsonl.",
    );
  }
  return { kind, target };
}

export function createProvider(spec: string, options: ProviderOptions = {}): Provider {
  const { kind, target } = parseProviderSpec(spec);
  const env = options.env ?? {};
  const shared = {
    model: target,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.extraBody === undefined ? {} : { extraBody: options.extraBody }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  };

  switch (kind) {
    case "openai": {
      const baseUrl = checkBaseUrl(
        options.baseUrl ?? nonEmpty(env.OPENAI_BASE_URL) ?? OPENAI_DEFAULT_BASE_URL,
      );
      const apiKey = options.apiKey ?? nonEmpty(env.OPENAI_API_KEY);
      if (apiKey === undefined && sameEndpoint(baseUrl, OPENAI_DEFAULT_BASE_URL)) {
        throw missingKey(spec, baseUrl, "OPENAI_API_KEY", "OPENAI_BASE_URL");
      }
      return createOpenAIProvider({
        ...shared,
        baseUrl,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(options.maxTokensField === undefined ? {} : { maxTokensField: options.maxTokensField }),
      });
    }

    case "anthropic": {
      const baseUrl = checkBaseUrl(
        options.baseUrl ?? nonEmpty(env.ANTHROPIC_BASE_URL) ?? ANTHROPIC_DEFAULT_BASE_URL,
      );
      const apiKey = options.apiKey ?? nonEmpty(env.ANTHROPIC_API_KEY);
      if (apiKey === undefined && sameEndpoint(baseUrl, ANTHROPIC_DEFAULT_BASE_URL)) {
        throw missingKey(spec, baseUrl, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL");
      }
      return createAnthropicProvider({
        ...shared,
        baseUrl,
        ...(apiKey === undefined ? {} : { apiKey }),
      });
    }

    case "replay":
      return createReplayProvider({
        file: target,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });

    case "scripted":
      throw new UsageError(
        `the scripted provider cannot be named on the command line (${quote(spec)})`,
        "Build one in code with createScriptedProvider(respond).",
      );

    default:
      throw new UsageError(
        `unknown provider ${quote(kind)} in ${quote(spec)}`,
        `Known providers: ${PROVIDER_KINDS.join(", ")}. An OpenAI-compatible server (vLLM, llama.cpp, Ollama) is openai:MODEL with --base-url.`,
      );
  }
}

function missingKey(
  spec: string,
  baseUrl: string,
  keyVariable: string,
  urlVariable: string,
): UsageError {
  return new UsageError(
    `${spec} needs an API key for ${baseUrl}: set ${keyVariable}`,
    `For a local server that takes no key, set its base URL with --base-url or ${urlVariable}.`,
  );
}

function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `invalid base URL ${quote(value)}`,
      "Give an http or https URL, for example http://127.0.0.1:8000/v1.",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(
      `invalid base URL ${quote(value)}: expected http or https`,
      "For example http://127.0.0.1:8000/v1.",
    );
  }
  return value.replace(/\/+$/, "");
}

function sameEndpoint(a: string, b: string): boolean {
  return new URL(a).origin === new URL(b).origin;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
