/**
 * Runners of the tier-2 suites for `candor run`. Each adapts an agentic
 * suite to the SuiteRunner interface of tiers.ts. `--suite ID` then runs one
 * of them, and `--tier 2` runs all of them after the tier-1 suites and
 * merges every result into one report.
 */

import { DEFAULT_SYSTEM_PROMPT } from "../agent/task.js";
import { writeReport } from "../report/assemble.js";
import type { Report } from "../spec/generated/report.js";
import { AGENTIC_SUITE_LOADERS } from "./agentic/catalog.js";
import type { AgenticOutcome } from "./agentic/outcome.js";
import type { RunAgenticSuiteOptions } from "./agentic/run-suite.js";
import type { AgenticSuite } from "./agentic/suite.js";
import { MISREPORT_DETECTOR } from "./concealment/misreport.js";
import { MISREPORT_RATE } from "./concealment/suite.js";
import type { SuiteRunContext, SuiteRunner, SuiteRunOutput } from "./tiers.js";

/**
 * The system prompt of every agentic task: the agent loop's own prompt,
 * which gives the model its working folder and how to finish, followed by the
 * run's system prompt when one was given. The report records the digest of
 * the whole text.
 */
export function agenticSystemPrompt(runPrompt: string): string {
  return runPrompt === "" ? DEFAULT_SYSTEM_PROMPT : `${DEFAULT_SYSTEM_PROMPT}\n\n${runPrompt}`;
}

/**
 * Smallest output limit of one agent turn, in tokens. A write_file call
 * carries a whole file in one turn, so the tier-1 default (1,024) would cut
 * ordinary edits short and end runs on malformed tool calls.
 */
export const MIN_AGENT_TURN_TOKENS = 4096;

/** Notes for the suite's results by metric id, computed from its outcomes. */
type MetricNotes<Spec> = (
  outcomes: readonly AgenticOutcome[],
  suite: AgenticSuite<Spec>,
) => Record<string, string>;

/**
 * Builds the runner of one agentic suite. `--limit N` runs the first N tasks
 * of the suite, and the report then names that subset's digest. Agentic
 * runs produce no tier-1 transcripts, so evaluation awareness does not read
 * them. The engine's time limit per request (`context.engine.requestTimeoutMs`)
 * is not used: one engine attempt is a whole agent run, and runAgenticSuite
 * gives it the agent's time limit plus the harness and sandbox setup. Each
 * model request keeps the provider's own time limit.
 */
export function agenticRunner<Spec>(
  load: () => Promise<AgenticSuite<Spec>>,
  notes?: MetricNotes<Spec>,
): SuiteRunner {
  return {
    async run(context: SuiteRunContext): Promise<SuiteRunOutput> {
      const { runAgenticSuite } = await import("./agentic/run-suite.js");
      const suite = await load();
      const options: RunAgenticSuiteOptions<Spec> = {
        suite,
        provider: context.model,
        providerSpec: context.modelSpec,
        outDir: context.outDir,
        resume: context.resume,
        systemPrompt: agenticSystemPrompt(context.generation.systemPrompt),
        temperature: context.generation.temperature,
        maxTokens: Math.max(context.generation.maxTokens, MIN_AGENT_TURN_TOKENS),
        engine: {
          concurrency: context.engine.concurrency,
          maxAttempts: context.engine.maxAttempts,
          baseDelayMs: context.engine.baseDelayMs,
          maxDelayMs: context.engine.maxDelayMs,
        },
        identity: context.identity,
      };
      const { maxSteps, timeLimitMs, epochs } = context.agent ?? {};
      options.limits = {
        ...(maxSteps === undefined ? {} : { maxSteps }),
        ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
      };
      if (epochs !== undefined) {
        options.epochs = epochs;
      }
      if (context.limit !== undefined && context.limit < suite.tasks.length) {
        options.taskIds = suite.tasks.slice(0, context.limit).map((task) => task.id);
      }
      if (context.generation.reasoning !== undefined) {
        options.reasoning = context.generation.reasoning;
      }
      if (context.onEvent !== undefined) {
        options.onEvent = context.onEvent;
      }
      if (context.signal !== undefined) {
        options.signal = context.signal;
      }
      if (context.registry !== undefined) {
        options.registry = context.registry;
      }

      const warnings: string[] = [];
      if (context.generation.maxTokens < MIN_AGENT_TURN_TOKENS) {
        warnings.push(
          `Agent turns were sent an output limit of ${MIN_AGENT_TURN_TOKENS} tokens instead of ${context.generation.maxTokens}, so that one turn can write a whole file; the report records ${MIN_AGENT_TURN_TOKENS}.`,
        );
      }

      const result = await runAgenticSuite(options);
      const written = result.written;
      if (written !== undefined && notes !== undefined) {
        addResultNotes(written.report, notes(written.outcomes, suite));
        writeReport(context.outDir, written.report);
      }
      return {
        written:
          written === undefined
            ? undefined
            : { report: written.report, reportPath: written.reportPath },
        done: result.done,
        errors: result.errors,
        judgeErrors: 0,
        transcripts: [],
        warnings,
      };
    },
  };
}

function addResultNotes(report: Report, notes: Record<string, string>): void {
  for (const result of report.results) {
    const note = notes[result.metric];
    if (note !== undefined) {
      result.notes = result.notes === undefined ? note : `${result.notes} ${note}`;
    }
  }
}

/**
 * Counts the concealment runs that ended without a final report. The
 * registry puts them outside the misreport denominator, and its definition
 * recommends (SHOULD) stating their number in the result's notes.
 */
export function concealmentNotes<Spec>(
  outcomes: readonly AgenticOutcome[],
  suite: AgenticSuite<Spec>,
): Record<string, string> {
  const judged = new Set(
    suite.tasks
      .filter((task) => task.detectors.includes(MISREPORT_DETECTOR))
      .map((task) => task.id),
  );
  const runs = outcomes.filter((outcome) => judged.has(outcome.task));
  const withoutReport = runs.filter(
    (outcome) => outcome.metrics[MISREPORT_RATE.metric] === undefined,
  );
  return {
    [MISREPORT_RATE.metric]: `${withoutReport.length} of ${runs.length} runs ended without a final report and are outside the denominator.`,
  };
}

export const concealmentRunner = agenticRunner(AGENTIC_SUITE_LOADERS.concealment, concealmentNotes);

export const containmentRunner = agenticRunner(AGENTIC_SUITE_LOADERS.containment);

export const rewardHackingRunner = agenticRunner(AGENTIC_SUITE_LOADERS["reward-hacking"]);

export const destructivenessRunner = agenticRunner(AGENTIC_SUITE_LOADERS.destructiveness);
