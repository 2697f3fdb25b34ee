/**
 * Running every suite of a coverage tier into one report. Each suite runs
 * into its own folder DIR/<suite>/ with its own run store, so an interrupted
 * tier run resumes suite by suite; the suites' results are then merged into
 * DIR/report.json (see tier-report.ts). A tier-N run runs the suites of
 * tiers 1 to N, because a report that claims tier N must carry every stable
 * metric of those tiers.
 *
 * A suite takes part by having an entry in SUITES (registry.ts) and a
 * runner in SUITE_RUNNERS below.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RunEvent } from "../engine/types.js";
import { CandorError, quote } from "../errors.js";
import type { Provider } from "../providers/types.js";
import type { Report } from "../spec/generated/report.js";
import type { Registry } from "../spec/registry.js";
import type { EngineOptions, GenerationOptions } from "./common/run-settings.js";
import type { AwarenessTranscript } from "./evaluation-awareness/transcripts.js";
import type { ReportIdentity } from "./extract/run-conversations.js";
import { SUITES, type SuiteId, type SuiteInfo } from "./registry.js";
import { writeTierReport } from "./tier-report.js";

/** Generation settings sent with every request to the model under test. */
export type TierGeneration = GenerationOptions;

/** How requests run through the engine, for the model under test and the judge alike. */
export type TierEngine = EngineOptions;

/** A model judge and its provider spec as written on the command line. */
export interface JudgeModel {
  provider: Provider;
  spec: string;
}

/** Limits and repetitions of agentic runs; suites without an agent loop ignore them. */
export interface AgentRunSettings {
  /** Model turns per run at most; the agent loop's default when unset. */
  maxSteps?: number;
  /** Wall-clock time per run, model requests and commands included, in milliseconds; the agent loop's default when unset. */
  timeLimitMs?: number;
  /** Runs per task; 1 when unset. */
  epochs?: number;
}

/** What a suite runner gets for one run. */
export interface SuiteRunContext {
  /** The model under test and its spec as written on the command line. */
  model: Provider;
  modelSpec: string;
  judge?: JudgeModel;
  /** Folder of the suite's report, outcomes and run stores. */
  outDir: string;
  /** Continue the run stored in `outDir` instead of starting one. */
  resume: boolean;
  /** Run only the first `limit` items; the report then names that subset's digest. */
  limit?: number;
  /** Items to run instead of the shipped ones, for suites whose SuiteInfo names a data set. */
  datasetPath?: string;
  /** Policy file for policy-adherence, instead of the shipped example policy. */
  policyPath?: string;
  /** Absolute path of the recorded completions when the model is replay:FILE. */
  replayFile?: string;
  generation: TierGeneration;
  engine: TierEngine;
  agent?: AgentRunSettings;
  identity: ReportIdentity;
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
  registry?: Registry;
}

/** What a suite runner returns. */
export interface SuiteRunOutput {
  /** The report written into `outDir`; undefined when the run was interrupted. */
  written: { report: Report; reportPath: string } | undefined;
  /** Samples with a response from the model under test. */
  done: number;
  /** Samples that ended in an error after every attempt, over all sessions. */
  errors: number;
  /** Responses left unscored because every judge request for them failed. */
  judgeErrors: number;
  /** The model's conversations, for evaluation awareness. */
  transcripts: AwarenessTranscript[];
  /** Facts the person running the suite should see, one sentence each. */
  warnings: string[];
}

export interface SuiteRunner {
  run(context: SuiteRunContext): Promise<SuiteRunOutput>;
}

/**
 * The runner of each shipped suite, loaded on demand so that a run imports
 * only the suites it runs. The type requires a runner for every id in SUITES.
 */
const SUITE_RUNNERS: { readonly [Id in SuiteId]: () => Promise<SuiteRunner> } = {
  "refusal-calibration": async () => (await import("./tier1.js")).refusalRunner,
  sycophancy: async () => (await import("./tier1.js")).sycophancyRunner,
  hallucination: async () => (await import("./tier1.js")).hallucinationRunner,
  "policy-adherence": async () => (await import("./tier1.js")).policyRunner,
  sandbagging: async () => (await import("./tier1.js")).sandbaggingRunner,
  "reward-hacking": async () => (await import("./tier2.js")).rewardHackingRunner,
  destructiveness: async () => (await import("./tier2.js")).destructivenessRunner,
  concealment: async () => (await import("./tier2.js")).concealmentRunner,
  containment: async () => (await import("./tier2.js")).containmentRunner,
};

export function loadSuiteRunner(id: SuiteId): Promise<SuiteRunner> {
  return SUITE_RUNNERS[id]();
}

/** A suite that needs a model judge, run without one. */
export class JudgeRequiredError extends CandorError {
  constructor(suite: string) {
    super("judge_required", `suite ${quote(suite)} scores responses with a model judge`, {
      hint: "Pass --judge PROVIDER:MODEL (and --judge-base-url URL for a local server).",
    });
  }
}

/** A tier that no shipped suite measures. */
export class TierWithoutSuitesError extends CandorError {
  constructor(tier: number) {
    super("tier_without_suites", `no shipped suite measures tier-${tier} metrics`, {
      hint: `Run --tier ${Math.max(...SUITES.map((suite) => suite.tier))} or lower; add results for tier-${tier} metrics with the tools that measure them.`,
    });
  }
}

/** The suites a tier-N run runs: those of tiers 1 to N, in the order of SUITES. */
export function suitesForTier(tier: number): SuiteInfo[] {
  if (!SUITES.some((suite) => suite.tier === tier)) {
    throw new TierWithoutSuitesError(tier);
  }
  return SUITES.filter((suite) => suite.tier <= tier);
}

export interface TierRunOptions
  extends Omit<SuiteRunContext, "outDir" | "resume" | "identity" | "datasetPath" | "onEvent"> {
  tier: number;
  /** Folder of the merged report; each suite runs in a folder below it named by its id. */
  outDir: string;
  /** Continue the tier run stored in `outDir`: each suite folder that exists is resumed. */
  resume: boolean;
  identity: Omit<ReportIdentity, "claimedTier">;
  /** Called before each suite starts or is skipped. */
  onSuite?: (suite: SuiteInfo, state: "start" | "skip", detail: string) => void;
  onEvent?: (suite: SuiteId, event: RunEvent) => void;
}

/** What happened to one suite of a tier run. */
export type TierSuiteRecord =
  | { info: SuiteInfo; dir: string; state: "ran"; output: SuiteRunOutput }
  | { info: SuiteInfo; state: "skipped"; reason: string };

export interface TierRunResult {
  /** The merged report; undefined when a suite was interrupted. */
  written: { report: Report; reportPath: string } | undefined;
  suites: TierSuiteRecord[];
  /** The suite that was interrupted, when one was. */
  interrupted: SuiteId | undefined;
}

/**
 * Runs the suites of tiers 1 to `tier` one after another, each into
 * DIR/<suite>/, then writes the merged report. A suite that needs a judge is
 * skipped when there is none, and its metrics become not_evaluated with the
 * reason. An interrupted suite stops the tier run before the merge.
 */
export async function runTier(options: TierRunOptions): Promise<TierRunResult> {
  const suites = suitesForTier(options.tier);
  const records: TierSuiteRecord[] = [];

  for (const info of suites) {
    if (info.judge === "required" && options.judge === undefined) {
      const reason = `${info.id} scores responses with a model judge and the run had none (pass --judge PROVIDER:MODEL).`;
      options.onSuite?.(info, "skip", reason);
      records.push({ info, state: "skipped", reason });
      continue;
    }

    const dir = join(options.outDir, info.id);
    const resume = options.resume && existsSync(dir);
    options.onSuite?.(info, "start", dir);
    const runner = await loadSuiteRunner(info.id as SuiteId);
    const output = await runner.run({
      model: options.model,
      modelSpec: options.modelSpec,
      ...(options.judge === undefined ? {} : { judge: options.judge }),
      outDir: dir,
      resume,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.policyPath === undefined ? {} : { policyPath: options.policyPath }),
      ...(options.replayFile === undefined ? {} : { replayFile: options.replayFile }),
      generation: options.generation,
      engine: options.engine,
      ...(options.agent === undefined ? {} : { agent: options.agent }),
      identity: { ...options.identity, claimedTier: info.tier },
      ...(options.onEvent === undefined
        ? {}
        : { onEvent: (event: RunEvent) => options.onEvent?.(info.id as SuiteId, event) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
    });
    records.push({ info, dir, state: "ran", output });
    if (output.written === undefined) {
      return { written: undefined, suites: records, interrupted: info.id as SuiteId };
    }
  }

  const written = writeTierReport({
    outDir: options.outDir,
    tier: options.tier,
    identity: options.identity,
    suites: records,
    generation: options.generation,
    engine: options.engine,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return { written, suites: records, interrupted: undefined };
}
