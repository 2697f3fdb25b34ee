import { type RunDescription, type RunEvent, type RunStore, runSamples } from "../engine/index.js";
import type { Provider } from "../providers/types.js";
import {
  chatSettings,
  describeElicitation,
  type EngineSettings,
  engineRunOptions,
} from "../suites/common/run-settings.js";
import type { Suite, SuiteItem } from "../suites/types.js";
import { describePass, openPassStore } from "./store.js";

export { describeElicitation } from "../suites/common/run-settings.js";

/** Generation settings sent to the model under test. */
export interface GenerationOptions {
  /** System prompt; undefined or empty sends none. */
  systemPrompt?: string;
  temperature: number;
  /** Output limit per response, in tokens. */
  maxTokens: number;
  /** Provider-specific reasoning setting, passed through. */
  reasoning?: string;
}

/** One stored response of the model under test. */
export interface ModelResponse {
  response: string;
  /** Model id the server reported. */
  model: string;
  finish_reason: string;
  /** Reasoning text the server returned beside the response, when any. */
  reasoning?: string;
}

export interface ModelPassOptions extends EngineSettings {
  provider: Provider;
  generation: GenerationOptions;
  /** Folder of the run store (run.sqlite); without one nothing is stored. */
  dir?: string;
  /** Continue the run stored in `dir` (its stored responses are not requested again) instead of starting one. */
  resume?: boolean;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface ModelPassResult {
  /** Responses by item id; items whose requests failed on every attempt are absent. */
  responses: Map<string, ModelResponse>;
  /** Items without a response: their request failed on every attempt, or the pass was aborted first. */
  errors: number;
  aborted: boolean;
  /** Run description of the requests, over every session of the store. */
  run: RunDescription;
}

/**
 * Sends every item of a suite to the model under test through the run
 * engine and returns the responses. When resuming a stored run, responses
 * stored by an earlier session are reused and only missing or failed items
 * are sent.
 */
export async function collectResponses<Item extends SuiteItem>(
  suite: Suite<Item, unknown>,
  options: ModelPassOptions,
): Promise<ModelPassResult> {
  const { provider, generation } = options;
  let store: RunStore | undefined;
  if (options.dir !== undefined) {
    store = openPassStore(
      options.dir,
      {
        provider: provider.id,
        endpoint: provider.endpoint,
        suite: {
          id: suite.identity.id,
          version: suite.identity.version,
          digest: suite.identity.digest,
        },
        elicitation: { ...describeElicitation(generation) },
        settings: { pass: "model" },
      },
      // A run stopped before this part started has no store for it yet, so a
      // resume creates one instead of failing.
      options.resume === true ? "resume_or_create" : "create",
    );
  }

  const responses = new Map<string, ModelResponse>();
  try {
    const summary = await runSamples({
      samples: [...suite.items()].map((item) => ({ id: item.id, item })),
      total: suite.size,
      execute: async (sample, context): Promise<ModelResponse> => {
        const reply = await provider.chat({
          messages: suite.buildMessages(
            sample.item,
            generation.systemPrompt === undefined ? {} : { systemPrompt: generation.systemPrompt },
          ),
          settings: chatSettings(generation),
          signal: context.signal,
          metadata: { itemId: sample.id },
        });
        return {
          response: reply.content,
          model: reply.model,
          finish_reason: reply.finishReason,
          ...(reply.reasoning === undefined ? {} : { reasoning: reply.reasoning }),
        };
      },
      ...(store === undefined ? {} : { store }),
      onOutput: (sample, output) => responses.set(sample.id, output),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...engineRunOptions(options, options.signal),
    });

    if (store !== undefined) {
      const wanted = new Set([...suite.items()].map((item) => item.id));
      for (const sample of store.samples("done")) {
        if (wanted.has(sample.id) && !responses.has(sample.id)) {
          responses.set(sample.id, sample.output as ModelResponse);
        }
      }
    }
    const errors = suite.size - responses.size;
    const run = describePass(store, summary, summary.errors);
    return { responses, errors, aborted: summary.aborted, run };
  } finally {
    store?.close();
  }
}
