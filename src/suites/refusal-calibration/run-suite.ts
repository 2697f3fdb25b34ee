import { openRunStore, type RunStore, runSamples } from "../../engine/index.js";
import type { RunEvent, RunSummary } from "../../engine/types.js";
import type { Provider } from "../../providers/types.js";
import type { Elicitation } from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { sha256Digest } from "../registry.js";
import { spreadSubset } from "../subset.js";
import type { SuiteIdentity } from "../types.js";
import { digestRefusalItems, type RefusalItem, type RefusalItemSet } from "./items.js";
import { type ReportIdentity, type WrittenRefusalReport, writeRefusalReport } from "./report.js";
import { type JudgeRunOptions, type ResponseToScore, scoreResponses } from "./score-all.js";
import { createRefusalSuite, type RefusalScorer } from "./suite.js";

/** Generation settings sent with every request to the model under test. */
export interface GenerationOptions {
  /** System prompt; empty sends none. */
  systemPrompt: string;
  temperature: number;
  maxTokens: number;
  /** Reasoning setting passed to the provider and recorded in the elicitation; unset sends none. */
  reasoning?: string;
}

export interface EngineOptions {
  concurrency: number;
  maxAttempts: number;
  /** Time limit of one request, in milliseconds. */
  requestTimeoutMs?: number;
  /** Backoff ceiling of the first retry, in milliseconds; it doubles with each further retry. */
  baseDelayMs: number;
  /** Maximum wait between two attempts, in milliseconds, Retry-After included. */
  maxDelayMs: number;
}

export interface RunSuiteOptions {
  /** The model under test and its spec as written on the command line. */
  provider: Provider;
  providerSpec: string;
  itemSet: RefusalItemSet;
  /** Run only the first `limit` items; the report then names that subset's digest. */
  limit?: number;
  outDir: string;
  /** Continue the run stored in `outDir` instead of starting one. */
  resume: boolean;
  generation: GenerationOptions;
  engine: EngineOptions;
  scorer: RefusalScorer;
  judgeRun: JudgeRunOptions;
  identity: ReportIdentity;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  registry?: Registry;
}

/** Output of the model for one item, as the run store keeps it. */
export interface GenerationOutput {
  response: string;
  finish_reason: string;
  /** Model id that the server reported as answering. */
  model: string;
  /** Reasoning text the provider returned beside the response, when any. */
  reasoning?: string;
}

export interface RunSuiteResult {
  /** Undefined when the run was interrupted before every sample ended. */
  written: WrittenRefusalReport | undefined;
  summary: RunSummary;
  /** Samples that ended in an error after every attempt, over all sessions; excluded from the metrics. */
  errors: number;
  /** Samples with a response. */
  done: number;
  judgeErrors: number;
}

/**
 * Runs the suite against a model: sends every item through the run engine
 * (bounded concurrency, retries, a time limit, the crash-safe run store in
 * `outDir`), then scores the stored responses and writes report.json and
 * samples.jsonl. Samples that still failed are recorded as errors, left out
 * of every metric and counted in run.errors. An interrupted run writes no
 * report; resuming it finishes the missing samples without redoing the
 * others.
 */
export async function runRefusalSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  const items = spreadSubset(options.itemSet.items, options.limit);
  const identity = subsetIdentity(options.itemSet, items);
  const itemSet: RefusalItemSet = { identity, items };
  const suite = createRefusalSuite(itemSet, options.scorer);

  const elicitation: Elicitation = {
    system_prompt_digest: sha256Digest(options.generation.systemPrompt),
    temperature: options.generation.temperature,
    max_tokens: options.generation.maxTokens,
    ...(options.generation.reasoning === undefined
      ? {}
      : { reasoning: options.generation.reasoning }),
  };
  const runInfo = {
    provider: options.providerSpec,
    endpoint: options.provider.endpoint,
    suite: { id: identity.id, version: identity.version, digest: identity.digest },
    elicitation: { ...elicitation },
  };
  const store = openRunStore(
    options.outDir,
    options.resume ? { mode: "resume", run: runInfo } : { mode: "create", run: runInfo },
  );

  try {
    const summary = await runSamples<{ id: string; item: RefusalItem }, GenerationOutput>({
      samples: items.map((item) => ({ id: item.id, item })),
      total: items.length,
      store,
      execute: async (sample, context) => {
        const reply = await options.provider.chat({
          messages: suite.buildMessages(sample.item, {
            systemPrompt: options.generation.systemPrompt,
          }),
          settings: {
            temperature: options.generation.temperature,
            maxTokens: options.generation.maxTokens,
            ...(options.generation.reasoning === undefined
              ? {}
              : { reasoning: options.generation.reasoning }),
          },
          signal: context.signal,
          // The replay provider looks recorded completions up by this id.
          metadata: { itemId: sample.id },
        });
        return {
          response: reply.content,
          finish_reason: reply.finishReason,
          model: reply.model,
          ...(reply.reasoning === undefined ? {} : { reasoning: reply.reasoning }),
        };
      },
      concurrency: options.engine.concurrency,
      maxAttempts: options.engine.maxAttempts,
      baseDelayMs: options.engine.baseDelayMs,
      maxDelayMs: options.engine.maxDelayMs,
      ...(options.engine.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.engine.requestTimeoutMs }),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });

    const { responses, errors } = readStoredResponses(store, items);
    if (summary.aborted) {
      return { written: undefined, summary, errors, done: responses.length, judgeErrors: 0 };
    }

    const scored = await scoreResponses(suite, responses, options.judgeRun);
    const retries = store.sessions().reduce((sum, session) => sum + session.counts.retries, 0);
    const notes: string[] = [];
    if (items.length < options.itemSet.items.length) {
      notes.push(
        `Run limited to the first ${items.length} of ${options.itemSet.items.length} items of ${options.itemSet.identity.id}.`,
      );
    }
    if (errors > 0) {
      notes.push(
        `${errors} samples ended in an error after every attempt and are excluded from every metric.`,
      );
    }
    if (scored.judgeErrors > 0) {
      notes.push(
        `${scored.judgeErrors} responses are unscored because every judge request for them failed.`,
      );
    }

    const written = writeRefusalReport({
      outDir: options.outDir,
      suite,
      outcomes: scored.outcomes,
      identity: options.identity,
      elicitation,
      run: {
        started: store.run.started,
        finished: summary.finished,
        concurrency: options.engine.concurrency,
        max_attempts: options.engine.maxAttempts,
        ...(options.engine.requestTimeoutMs === undefined
          ? {}
          : { request_timeout_seconds: options.engine.requestTimeoutMs / 1000 }),
        retries,
        errors,
      },
      notes,
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    });
    return { written, summary, errors, done: responses.length, judgeErrors: scored.judgeErrors };
  } finally {
    store.close();
  }
}

/** Reads the stored responses in item order and counts the samples stored as errors. */
function readStoredResponses(
  store: RunStore,
  items: readonly RefusalItem[],
): { responses: ResponseToScore[]; errors: number } {
  store.flush();
  const outputs = new Map<string, GenerationOutput>();
  for (const sample of store.samples("done")) {
    outputs.set(sample.id, sample.output as GenerationOutput);
  }
  const responses: ResponseToScore[] = [];
  for (const item of items) {
    const output = outputs.get(item.id);
    if (output !== undefined) {
      responses.push({ item, response: output.response });
    }
  }
  return { responses, errors: store.counts().errors };
}

/**
 * Returns the identity of the items actually run: the set's own when all of
 * it runs, else one with the subset's canonical digest. A subset is marked
 * as not the reference suite, because it is not the reference protocol.
 */
function subsetIdentity(itemSet: RefusalItemSet, items: readonly RefusalItem[]): SuiteIdentity {
  if (items.length === itemSet.items.length) {
    return itemSet.identity;
  }
  return { ...itemSet.identity, digest: digestRefusalItems(items), reference: false };
}
