/**
 * Runners of the tier-1 suites for `candor run`: each adapts one suite's
 * entry point to the SuiteRunner interface of tiers.ts and collects the
 * model's transcripts for evaluation awareness.
 */

import { join } from "node:path";
import { openRunStore } from "../engine/index.js";
import type { Report } from "../spec/generated/report.js";
import type { AwarenessTranscript } from "./evaluation-awareness/transcripts.js";
import { alignReplayIds } from "./replay-ids.js";
import { spreadSubset } from "./subset.js";
import {
  JudgeRequiredError,
  type SuiteRunContext,
  type SuiteRunner,
  type SuiteRunOutput,
} from "./tiers.js";

/** Builds the options of a conversation suite's runner from the run context. */
function answerSuiteOptions(context: SuiteRunContext) {
  return {
    provider: context.model,
    providerSpec: context.modelSpec,
    ...(context.limit === undefined ? {} : { limit: context.limit }),
    outDir: context.outDir,
    resume: context.resume,
    generation: context.generation,
    engine: context.engine,
    identity: context.identity,
    ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.registry === undefined ? {} : { registry: context.registry }),
  };
}

/** Builds the options a judged suite's runner shares: the model, both passes' settings and the report identity. */
function judgedSuiteOptions(context: SuiteRunContext) {
  return {
    model: context.model,
    generation: context.generation,
    outDir: context.outDir,
    resume: context.resume,
    modelRun: context.engine,
    judgeRun: context.engine,
    identity: context.identity,
    ...(context.registry === undefined ? {} : { registry: context.registry }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  };
}

/** Folder below a suite's folder that holds the awareness judge's run store. */
export const AWARENESS_JUDGE_DIR = "awareness-judge";

/**
 * Adds the awareness judge to a tier-1 runner. When the run has a judge and
 * the suite finished, the judge reads the suite's transcripts in a pass of
 * its own (run store in <suite>/awareness-judge/, resumed with the suite)
 * and its verdicts are attached to the transcripts, where the tier report
 * combines them with the rules. An interrupted judge pass returns no report,
 * so the tier run stops and can be resumed.
 */
function withAwarenessJudge(runner: SuiteRunner): SuiteRunner {
  return {
    async run(context) {
      const output = await runner.run(context);
      if (context.judge === undefined || output.written === undefined) {
        return output;
      }

      const { loadAwarenessJudge } = await import("./evaluation-awareness/judge.js");
      const { judgeTranscripts } = await import("./evaluation-awareness/judge-pass.js");
      const judged = await judgeTranscripts(
        output.transcripts,
        loadAwarenessJudge(context.judge.provider),
        {
          ...context.engine,
          dir: join(context.outDir, AWARENESS_JUDGE_DIR),
          resume: context.resume,
          ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
        },
      );
      const warnings = [...output.warnings];
      if (judged.judgeErrors > 0 && !judged.aborted) {
        warnings.push(
          `${judged.judgeErrors} transcripts have no awareness verdict because every judge request for them failed; they are unscored for evaluation awareness until the run is resumed.`,
        );
      }
      return {
        ...output,
        written: judged.aborted ? undefined : output.written,
        transcripts: judged.transcripts,
        warnings,
      };
    },
  };
}

function written(report: Report | undefined, reportPath: string | undefined) {
  return report === undefined || reportPath === undefined ? undefined : { report, reportPath };
}

/**
 * Reads the model's outputs from the run store in `dir` as transcripts.
 * Outputs hold either `responses` (one per turn) or one `response`, each
 * with the reasoning text the provider returned, when any.
 */
export function readStoredTranscripts(dir: string, suite: string): AwarenessTranscript[] {
  const store = openRunStore(dir, { mode: "read" });
  try {
    const transcripts: AwarenessTranscript[] = [];
    for (const sample of store.samples("done")) {
      const output = sample.output as {
        responses?: unknown;
        response?: unknown;
        reasoning?: unknown;
      };
      const responses = Array.isArray(output.responses)
        ? output.responses.filter((text): text is string => typeof text === "string")
        : typeof output.response === "string"
          ? [output.response]
          : [];
      const reasoning = Array.isArray(output.reasoning)
        ? output.reasoning.filter((text): text is string => typeof text === "string")
        : typeof output.reasoning === "string"
          ? [output.reasoning]
          : [];
      transcripts.push({ id: `${suite}:${sample.id}`, suite, responses, reasoning });
    }
    return transcripts;
  } finally {
    store.close();
  }
}

/** Turns judged outcomes into single-turn transcripts. */
function outcomeTranscripts(
  suite: string,
  part: string | undefined,
  outcomes: readonly { id: string; response: string }[],
): AwarenessTranscript[] {
  const prefix = part === undefined ? suite : `${suite}:${part}`;
  return outcomes.map((outcome) => ({
    id: `${prefix}:${outcome.id}`,
    suite,
    responses: [outcome.response],
  }));
}

export const refusalRunner: SuiteRunner = withAwarenessJudge({
  async run(context) {
    const { loadBuiltInItems, loadExternalDataset } = await import(
      "./refusal-calibration/items.js"
    );
    const { loadJudgePrompt } = await import("./refusal-calibration/judge.js");
    const { runRefusalSuite } = await import("./refusal-calibration/run-suite.js");

    const itemSet =
      context.datasetPath === undefined
        ? loadBuiltInItems()
        : loadExternalDataset(context.datasetPath);
    const warnings: string[] = [];
    let provider = context.model;
    if (context.replayFile !== undefined) {
      const items = spreadSubset(itemSet.items, context.limit);
      const aligned = alignReplayIds(
        provider,
        context.replayFile,
        items.map((item) => item.id),
      );
      provider = aligned.provider;
      if (aligned.prefix !== "") {
        warnings.push(
          `The replay file's ids start with ${JSON.stringify(aligned.prefix)}: item ${JSON.stringify(items[0]?.id)} is looked up as ${JSON.stringify(`${aligned.prefix}${items[0]?.id}`)}.`,
        );
      }
      if (aligned.missing.length > 0) {
        warnings.push(
          `The replay file has no completion for ${aligned.missing.length} of the ${items.length} items (${aligned.missing.slice(0, 5).join(", ")}${aligned.missing.length > 5 ? ", ..." : ""}); they end as errors.`,
        );
      }
    }

    const result = await runRefusalSuite({
      provider,
      providerSpec: context.modelSpec,
      itemSet,
      ...(context.limit === undefined ? {} : { limit: context.limit }),
      outDir: context.outDir,
      resume: context.resume,
      generation: context.generation,
      engine: context.engine,
      scorer:
        context.judge === undefined
          ? { kind: "rule" }
          : {
              kind: "model_judge",
              judge: context.judge.provider,
              judgeModel: context.judge.spec,
              prompt: loadJudgePrompt(),
            },
      judgeRun: {
        concurrency: context.engine.concurrency,
        maxAttempts: context.engine.maxAttempts,
        ...(context.engine.requestTimeoutMs === undefined
          ? {}
          : { requestTimeoutMs: context.engine.requestTimeoutMs }),
        ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
        ...(context.signal === undefined ? {} : { signal: context.signal }),
      },
      identity: context.identity,
      ...(context.onEvent === undefined ? {} : { onEvent: context.onEvent }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      ...(context.registry === undefined ? {} : { registry: context.registry }),
    });
    return {
      written: written(result.written?.report, result.written?.reportPath),
      done: result.done,
      errors: result.errors,
      judgeErrors: result.judgeErrors,
      transcripts: readStoredTranscripts(context.outDir, "refusal-calibration"),
      warnings,
    };
  },
});

/** Builds the runner of a conversation suite whose items have verifiable answers. */
function answerSuiteRunner(
  suite: string,
  runSuite: (options: ReturnType<typeof answerSuiteOptions>) => Promise<{
    written: { report: Report; reportPath: string } | undefined;
    done: number;
    errors: number;
  }>,
): SuiteRunner {
  return {
    async run(context) {
      const result = await runSuite(answerSuiteOptions(context));
      return {
        written: written(result.written?.report, result.written?.reportPath),
        done: result.done,
        errors: result.errors,
        judgeErrors: 0,
        transcripts: readStoredTranscripts(context.outDir, suite),
        warnings: [],
      };
    },
  };
}

export const sycophancyRunner = withAwarenessJudge(
  answerSuiteRunner("sycophancy", async (options) => {
    const { runSycophancySuite } = await import("./sycophancy/run-suite.js");
    return runSycophancySuite(options);
  }),
);

export const sandbaggingRunner = withAwarenessJudge(
  answerSuiteRunner("sandbagging", async (options) => {
    const { runSandbaggingSuite } = await import("./sandbagging/run-suite.js");
    return runSandbaggingSuite(options);
  }),
);

export const hallucinationRunner: SuiteRunner = withAwarenessJudge({
  async run(context): Promise<SuiteRunOutput> {
    if (context.judge === undefined) {
      throw new JudgeRequiredError("hallucination");
    }
    const { createHallucinationSuites, runHallucination } = await import(
      "./hallucination/run-suite.js"
    );
    const suites = createHallucinationSuites(context.judge.provider, {
      ...(context.datasetPath === undefined ? {} : { datasetPath: context.datasetPath }),
      ...(context.limit === undefined ? {} : { limit: context.limit }),
    });
    const result = await runHallucination({
      ...judgedSuiteOptions(context),
      suites,
      ...(context.onEvent === undefined
        ? {}
        : { onEvent: (_part, _pass, event) => context.onEvent?.(event) }),
    });

    const parts = [result.closedBook, result.openEnded].filter((run) => run !== undefined);
    return {
      written: result.aborted ? undefined : written(result.report, result.reportPath),
      done: parts.reduce((sum, run) => sum + run.outcomes.length, 0),
      errors: parts.reduce((sum, run) => sum + run.modelErrors, 0),
      judgeErrors: parts.reduce((sum, run) => sum + run.judgeErrors, 0),
      transcripts: [
        ...outcomeTranscripts("hallucination", "closed-book", result.closedBook?.outcomes ?? []),
        ...outcomeTranscripts("hallucination", "open-ended", result.openEnded?.outcomes ?? []),
      ],
      warnings: [],
    };
  },
});

export const policyRunner: SuiteRunner = withAwarenessJudge({
  async run(context): Promise<SuiteRunOutput> {
    if (context.judge === undefined) {
      throw new JudgeRequiredError("policy-adherence");
    }
    const { createPolicyAdherenceSuite, runPolicyAdherence } = await import(
      "./policy-adherence/run-suite.js"
    );
    const suite = createPolicyAdherenceSuite(context.judge.provider, {
      ...(context.policyPath === undefined ? {} : { policyPath: context.policyPath }),
      ...(context.limit === undefined ? {} : { limit: context.limit }),
    });
    const result = await runPolicyAdherence({
      ...judgedSuiteOptions(context),
      suite,
      ...(context.onEvent === undefined
        ? {}
        : { onEvent: (_pass, event) => context.onEvent?.(event) }),
    });
    return {
      written: result.aborted ? undefined : written(result.report, result.reportPath),
      done: result.run.outcomes.length,
      errors: result.run.modelErrors,
      judgeErrors: result.run.judgeErrors,
      transcripts: outcomeTranscripts("policy-adherence", undefined, result.run.outcomes),
      warnings: [],
    };
  },
});
