import { join } from "node:path";
import type { RunDescription, RunEvent } from "../engine/index.js";
import type { Provider } from "../providers/types.js";
import type { Elicitation } from "../spec/generated/report.js";
import type { Registry } from "../spec/registry.js";
import type { ReportIdentity } from "../suites/extract/run-conversations.js";
import type { SuiteItem } from "../suites/types.js";
import type { JudgedOutcomeFields } from "./judge.js";
import {
  collectResponses,
  describeElicitation,
  type GenerationOptions,
  type ModelResponse,
} from "./model-pass.js";
import { judgeResponses, type ResponseToJudge } from "./pass.js";
import type { EngineSettings } from "./store.js";
import type { JudgedSuite } from "./suite.js";

export interface RunJudgedSuiteOptions {
  /** The model under test. */
  model: Provider;
  generation: GenerationOptions;
  /** Work folder: the model's run store goes in DIR/run.sqlite and the judge's in DIR/judge/run.sqlite. */
  dir: string;
  /** Continue the run stored in `dir`: stored responses and verdicts are reused, missing and failed ones requested. */
  resume: boolean;
  modelRun: EngineSettings;
  judgeRun: EngineSettings;
  /** Receives the engine events of both passes, tagged with the pass. */
  onEvent?: (pass: "model" | "judge", event: RunEvent) => void;
  signal?: AbortSignal;
}

/** Options shared by the runners that run a judged suite and write its report. */
export interface JudgedReportRunOptions {
  /** The model under test. */
  model: Provider;
  generation: GenerationOptions;
  /** Folder of report.json and the outcomes files; the run stores go in OUT/runs/. */
  outDir: string;
  /** Continue the runs stored in `outDir` instead of starting new ones. */
  resume: boolean;
  modelRun: EngineSettings;
  judgeRun: EngineSettings;
  identity: ReportIdentity;
  registry?: Registry;
  signal?: AbortSignal;
}

export interface JudgedSuiteRun<Outcome> {
  /** One outcome per item that has a response, in item order. */
  outcomes: Outcome[];
  /** The stored responses of the model under test by item id, for transcript-level measures. */
  responses: ReadonlyMap<string, ModelResponse>;
  elicitation: Elicitation;
  /** Items with no response from the model under test; they are in no metric. */
  modelErrors: number;
  /** Responses without a judge reply after every attempt; they are unscored. */
  judgeErrors: number;
  parseFailures: number;
  /** True when `signal` stopped either pass; the outcomes are then incomplete. */
  aborted: boolean;
  /** The report's run object: the model pass's settings, with retries of both passes and errors of the model pass. */
  run: RunDescription;
  modelRun: RunDescription;
  judgeRun: RunDescription;
}

/**
 * Runs a judged suite end to end: the model under test answers every item
 * (first engine pass), then the judge grades every stored response (second
 * engine pass), and each response becomes one outcome. Both passes keep
 * their run stores in `dir`, so a run resumed with `resume` continues where
 * it stopped. The judge pass does not start when the model pass was aborted.
 */
export async function runJudgedSuite<
  Item extends SuiteItem,
  Outcome extends JudgedOutcomeFields,
  V extends string,
>(
  suite: JudgedSuite<Item, Outcome, V>,
  options: RunJudgedSuiteOptions,
): Promise<JudgedSuiteRun<Outcome>> {
  const elicitation = describeElicitation(options.generation);
  const model = await collectResponses(suite, {
    ...options.modelRun,
    provider: options.model,
    generation: options.generation,
    dir: options.dir,
    resume: options.resume,
    ...(options.onEvent === undefined
      ? {}
      : { onEvent: (event: RunEvent) => options.onEvent?.("model", event) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  const entries: ResponseToJudge<Item>[] = [];
  for (const item of suite.items()) {
    const stored = model.responses.get(item.id);
    if (stored !== undefined) {
      entries.push({ item, response: stored.response });
    }
  }

  if (model.aborted) {
    return {
      outcomes: [],
      responses: model.responses,
      elicitation,
      modelErrors: model.errors,
      judgeErrors: 0,
      parseFailures: 0,
      aborted: true,
      run: model.run,
      modelRun: model.run,
      judgeRun: { tool: model.run.tool, started: model.run.started, retries: 0, errors: 0 },
    };
  }

  const judged = await judgeResponses(suite, entries, {
    ...options.judgeRun,
    dir: join(options.dir, "judge"),
    resume: options.resume,
    ...(options.onEvent === undefined
      ? {}
      : { onEvent: (event: RunEvent) => options.onEvent?.("judge", event) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });

  return {
    outcomes: judged.outcomes,
    responses: model.responses,
    elicitation,
    modelErrors: model.errors,
    judgeErrors: judged.judgeErrors,
    parseFailures: judged.parseFailures,
    aborted: judged.aborted,
    run: {
      ...model.run,
      ...(judged.run.finished === undefined ? {} : { finished: judged.run.finished }),
      retries: model.run.retries + judged.run.retries,
    },
    modelRun: model.run,
    judgeRun: judged.run,
  };
}
