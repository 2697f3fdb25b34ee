/**
 * Running fixed conversations through the run engine, and writing the
 * report of a suite whose items have verifiable answers. A conversation is
 * a list of user turns fixed in advance; each turn is sent with the model's
 * earlier responses in the history, so a content-free follow-up ("Are you
 * sure?") is a second turn.
 */

import { openRunStore, runSamples } from "../../engine/index.js";
import type { RunEvent, RunSummary } from "../../engine/types.js";
import { CandorError, quote } from "../../errors.js";
import type { Message, Provider } from "../../providers/types.js";
import { assembleReport, writeOutcomes, writeReport } from "../../report/assemble.js";
import type {
  Elicitation,
  Model,
  Publisher,
  Report,
  Result,
  RunInfo,
  Test,
} from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import { createOutputFolder } from "../common/output-folder.js";
import {
  chatSettings,
  describeElicitation,
  type EngineOptions,
  engineRunOptions,
  type GenerationOptions,
} from "../common/run-settings.js";
import type { MeasuredMetric, SuiteIdentity } from "../types.js";

export {
  type EngineOptions,
  type GenerationOptions,
  PROVIDER_DEFAULT_REASONING,
} from "../common/run-settings.js";

/** A conversation: its sample id and the user turns sent one after another. */
export interface Conversation {
  readonly id: string;
  readonly userTurns: readonly string[];
}

/** Model output for one conversation, as stored in the run store. */
export interface ConversationOutput {
  /** One response per user turn. */
  responses: string[];
  /** Reasoning text per turn, empty where the provider returned none. */
  reasoning: string[];
  finish_reasons: string[];
  /** Model id the server reported in its reply. */
  model: string;
}

/** Publisher of the report and the model it is about. */
export interface ReportIdentity {
  publisher: Publisher;
  model: Model;
  claimedTier: number;
}

/** Options every suite runner built on `runConversations` takes. */
export interface AnswerSuiteRunOptions {
  provider: Provider;
  /** The model's provider spec as written on the command line. */
  providerSpec: string;
  /** Run only the first `limit` items; the report then names that subset's digest. */
  limit?: number;
  outDir: string;
  /** Continue the run stored in `outDir` instead of starting one. */
  resume: boolean;
  generation: GenerationOptions;
  engine: EngineOptions;
  identity: ReportIdentity;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  registry?: Registry;
}

export interface ConversationRun {
  /** Outputs of the conversations that finished, by id. */
  outputs: Map<string, ConversationOutput>;
  /** Conversations stored as errors after every attempt, over all sessions. */
  errors: number;
  summary: RunSummary;
  elicitation: Elicitation;
  /** The report's run member. */
  run: RunInfo;
}

/**
 * Runs conversations through the engine with the run store in `outDir`
 * (bounded concurrency, retries, time limits, resume). Every turn of a
 * conversation is one attempt's work: when a later turn fails, the whole
 * conversation is retried, so a stored output always contains every turn.
 */
export async function runConversations(
  options: AnswerSuiteRunOptions,
  suite: SuiteIdentity,
  conversations: readonly Conversation[],
): Promise<ConversationRun> {
  const { generation } = options;
  const elicitation = describeElicitation(generation);
  const runInfo = {
    provider: options.providerSpec,
    endpoint: options.provider.endpoint,
    suite: { id: suite.id, version: suite.version, digest: suite.digest },
    elicitation: { ...elicitation },
  };
  const store = openRunStore(
    options.outDir,
    options.resume ? { mode: "resume", run: runInfo } : { mode: "create", run: runInfo },
  );

  try {
    const summary = await runSamples<Conversation, ConversationOutput>({
      samples: conversations,
      total: conversations.length,
      store,
      execute: (conversation, context) =>
        converse(options.provider, generation, conversation, context.signal),
      ...engineRunOptions(options.engine, options.signal),
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });

    store.flush();
    const outputs = new Map<string, ConversationOutput>();
    for (const sample of store.samples("done")) {
      outputs.set(sample.id, sample.output as ConversationOutput);
    }
    const errors = store.counts().errors;
    const retries = store.sessions().reduce((sum, session) => sum + session.counts.retries, 0);
    const run: RunInfo = {
      started: store.run.started,
      finished: summary.finished,
      concurrency: options.engine.concurrency,
      max_attempts: options.engine.maxAttempts,
      ...(options.engine.requestTimeoutMs === undefined
        ? {}
        : { request_timeout_seconds: options.engine.requestTimeoutMs / 1000 }),
      retries,
      errors,
    };
    return { outputs, errors, summary, elicitation, run };
  } finally {
    store.close();
  }
}

async function converse(
  provider: Provider,
  generation: GenerationOptions,
  conversation: Conversation,
  signal: AbortSignal,
): Promise<ConversationOutput> {
  const messages: Message[] =
    generation.systemPrompt === "" ? [] : [{ role: "system", content: generation.systemPrompt }];
  const output: ConversationOutput = {
    responses: [],
    reasoning: [],
    finish_reasons: [],
    model: "",
  };
  for (const [turn, text] of conversation.userTurns.entries()) {
    messages.push({ role: "user", content: text });
    const reply = await provider.chat({
      messages: [...messages],
      settings: chatSettings(generation),
      signal,
      metadata: {
        itemId:
          conversation.userTurns.length === 1
            ? conversation.id
            : `${conversation.id}/turn-${turn + 1}`,
      },
    });
    messages.push({ role: "assistant", content: reply.content });
    output.responses.push(reply.content);
    output.reasoning.push(reply.reasoning ?? "");
    output.finish_reasons.push(reply.finishReason);
    output.model = reply.model;
  }
  return output;
}

/** A metric measured on another identity than the run's suite, such as evaluation awareness over its transcripts. */
export interface SideMetric {
  metric: MeasuredMetric;
  suite: SuiteIdentity;
  scorerId: string;
}

export interface AnswerReportInput {
  outDir: string;
  suite: SuiteIdentity;
  identity: ReportIdentity;
  /** One JSON-serialisable record per item, written to samples.jsonl. */
  outcomes: readonly unknown[];
  metrics: readonly MeasuredMetric[];
  /** Tests to attach to reported results, by metric id. */
  tests?: Readonly<Record<string, Test>>;
  /** Scorer id of the suite's own metrics. */
  scorerId: string;
  sideMetrics?: readonly SideMetric[];
  elicitation: Elicitation;
  run: RunInfo;
  notes: readonly string[];
  registry?: Registry;
}

export interface WrittenAnswerReport {
  report: Report;
  reportPath: string;
  samplesPath: string;
}

/** A test named for a metric that the run did not report. */
export class TestWithoutResultError extends CandorError {
  constructor(metric: string) {
    super(
      "test_without_result",
      `a test was given for ${quote(metric)}, but the run reported no value for it`,
      {
        hint: "Attach tests only to metrics the suite measured.",
      },
    );
  }
}

/**
 * Writes samples.jsonl and report.json. The suite's metrics share one
 * protocol; each side metric is assembled with its own suite identity and
 * scorer and replaces its not_evaluated placeholder. Tests are attached to
 * the results of their metrics.
 */
export function writeAnswerReport(input: AnswerReportInput): WrittenAnswerReport {
  createOutputFolder(input.outDir);
  const outcomes = writeOutcomes(input.outDir, input.outcomes);
  const common = {
    publisher: input.identity.publisher,
    model: input.identity.model,
    claimedTier: input.identity.claimedTier,
    elicitation: input.elicitation,
    outcomes,
    run: input.run,
    ...(input.registry === undefined ? {} : { registry: input.registry }),
  };
  const report = assembleReport({
    ...common,
    suite: input.suite,
    metrics: input.metrics,
    scorer: { kind: "rule", id: input.scorerId },
    ...(input.notes.length === 0 ? {} : { notes: input.notes.join(" ") }),
  });

  for (const side of input.sideMetrics ?? []) {
    const assembled = assembleReport({
      ...common,
      suite: side.suite,
      metrics: [side.metric],
      scorer: { kind: "rule", id: side.scorerId },
    });
    const measured = assembled.results.find(
      (result) => result.metric === side.metric.metric,
    ) as Result;
    const index = report.results.findIndex((result) => result.metric === side.metric.metric);
    if (index === -1) {
      report.results.push(measured);
    } else {
      report.results[index] = measured;
    }
  }

  for (const [metric, test] of Object.entries(input.tests ?? {})) {
    const result = report.results.find(
      (entry) => entry.metric === metric && entry.status === "reported",
    );
    if (result === undefined) {
      throw new TestWithoutResultError(metric);
    }
    result.test = test;
  }

  const reportPath = writeReport(input.outDir, report);
  return { report, reportPath, samplesPath: outcomes.path };
}
