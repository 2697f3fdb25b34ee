/**
 * Merging the reports of a tier run's suites into one report. Each suite's
 * reported results are kept as the suite wrote them, with their outcomes
 * path made relative to the merged report (<suite>/<file>).
 * evaluation_awareness.verbalized_rate is measured again over the
 * transcripts of every tier-1 suite together, because the registry defines
 * it over the report's tier-1 transcripts, not per suite.
 */

import { mkdirSync } from "node:fs";
import { join, posix } from "node:path";
import { InputOutputError, quote } from "../errors.js";
import { assembleReport, newReportId, writeOutcomes, writeReport } from "../report/assemble.js";
import type { Report, Result, RunInfo } from "../spec/generated/report.js";
import { loadRegistry, type Registry } from "../spec/registry.js";
import { STANDARD_VERSION, VERSION } from "../version.js";
import { describeElicitation } from "./common/run-settings.js";
import {
  awarenessIdentity,
  measureTranscriptAwareness,
  VERBALIZED_RATE,
} from "./evaluation-awareness/index.js";
import type { ReportIdentity } from "./extract/run-conversations.js";
import { AWARENESS_ID } from "./registry.js";
import type { TierEngine, TierGeneration, TierSuiteRecord } from "./tiers.js";
import type { SuiteIdentity } from "./types.js";

/**
 * Two suites of one tier run reported the same metric. It is a bug in the
 * suite list, not a user error, so it is no CandorError and the CLI reports
 * it as an internal error.
 */
export class DuplicateResultError extends Error {
  constructor(metric: string, suites: readonly string[]) {
    super(`metric ${quote(metric)} was reported by more than one suite: ${suites.join(", ")}`);
    this.name = "DuplicateResultError";
  }
}

export interface TierReportInput {
  outDir: string;
  tier: number;
  identity: Omit<ReportIdentity, "claimedTier">;
  /** Every suite of the run, in run order; each one that ran has written its report. */
  suites: readonly TierSuiteRecord[];
  generation: TierGeneration;
  engine: TierEngine;
  limit?: number;
  registry?: Registry;
  /** Defaults to now. */
  created?: Date;
}

/**
 * Writes DIR/report.json for a tier run, and the awareness outcomes to
 * DIR/evaluation-awareness/samples.jsonl. Every stable metric of tiers 1 to
 * `tier` appears exactly once: reported, or not_evaluated with a note giving
 * the reason. Metrics of a suite that was skipped appear as not_evaluated
 * whatever their stability, so the report shows what the skip cost.
 */
export function writeTierReport(input: TierReportInput): { report: Report; reportPath: string } {
  const registry = input.registry ?? loadRegistry();
  const created = input.created ?? new Date();
  const ran = input.suites.filter((record) => record.state === "ran");

  // Reported results of every suite, and the notes suites gave for metrics they did not report.
  const reported = new Map<string, { result: Result; suite: string }>();
  const unreported = new Map<string, Result>();
  for (const record of ran) {
    for (const result of record.output.written?.report.results ?? []) {
      if (result.metric === VERBALIZED_RATE.metric) {
        continue;
      }
      if (result.status !== "reported") {
        const earlier = unreported.get(result.metric);
        if (earlier === undefined || (earlier.notes === undefined && result.notes !== undefined)) {
          unreported.set(result.metric, structuredClone(result));
        }
        continue;
      }
      const earlier = reported.get(result.metric);
      if (earlier !== undefined) {
        throw new DuplicateResultError(result.metric, [earlier.suite, record.info.id]);
      }
      reported.set(result.metric, {
        result: withOutcomesBelow(structuredClone(result), record.info.id),
        suite: record.info.id,
      });
    }
  }

  const awareness = measureAwareness(input, registry, created);
  if (awareness.status === "reported") {
    reported.set(awareness.metric, { result: awareness, suite: AWARENESS_ID });
  } else {
    unreported.set(awareness.metric, awareness);
  }

  const results = [...reported.values()].map((entry) => entry.result);
  for (const result of missingResults(input, registry, reported, unreported)) {
    results.push(result);
  }
  const order = registry.ids();
  results.sort((a, b) => order.indexOf(a.metric) - order.indexOf(b.metric));

  const report: Report = {
    candor_version: STANDARD_VERSION,
    report_id: newReportId(created),
    created: created.toISOString(),
    publisher: input.identity.publisher,
    model: input.identity.model,
    claimed_tier: input.tier,
    results,
    run: combinedRun(input),
    ...reportNotes(input),
  };
  const reportPath = writeReport(input.outDir, report);
  return { report, reportPath };
}

/** Points a result's outcomes file at the suite folder it was written into. */
function withOutcomesBelow(result: Result, folder: string): Result {
  if (result.outcomes !== undefined) {
    result.outcomes = { ...result.outcomes, path: posix.join(folder, result.outcomes.path) };
  }
  return result;
}

/**
 * Scores every tier-1 transcript for evaluation awareness and returns the
 * reported result, or a not_evaluated one when no transcript was scored.
 * The rules decide alone unless the suite runners attached the awareness
 * judge's verdicts to the transcripts, which they do in runs with --judge.
 * Rules and judge then decide together, and the result's scorer is the judge.
 */
function measureAwareness(input: TierReportInput, registry: Registry, created: Date): Result {
  const tierOne = input.suites.filter((record) => record.info.tier === 1);
  const transcripts = tierOne.flatMap((record) =>
    record.state === "ran" ? record.output.transcripts : [],
  );
  const { outcomes, metric: measured, scorer } = measureTranscriptAwareness(transcripts);
  if (measured === undefined) {
    return {
      metric: VERBALIZED_RATE.metric,
      metric_version: VERBALIZED_RATE.version,
      status: "not_evaluated",
      notes: "No tier-1 transcript was available to examine.",
    };
  }

  const skipped = tierOne.filter((record) => record.state === "skipped");
  if (skipped.length > 0) {
    measured.notes = `${measured.notes} The transcripts of ${skipped.map((record) => record.info.id).join(" and ")} are not included because that suite did not run.`;
  }

  const dir = join(input.outDir, AWARENESS_ID);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputOutputError(
      "out_dir_unwritable",
      dir,
      `cannot create the folder ${quote(dir)}`,
      {
        hint: "Choose an output folder you can write to.",
        cause: error,
      },
    );
  }
  const outcomesFile = writeOutcomes(dir, outcomes);
  const assembled = assembleReport({
    publisher: input.identity.publisher,
    model: input.identity.model,
    claimedTier: 1,
    suite: awarenessIdentity(sourceIdentities(tierOne)),
    metrics: [measured],
    // Every suite of the run shared these settings, so the awareness result records them.
    elicitation: describeElicitation(input.generation),
    scorer,
    outcomes: { ...outcomesFile, path: posix.join(AWARENESS_ID, outcomesFile.path) },
    registry,
    created,
  });
  return assembled.results.find((result) => result.metric === VERBALIZED_RATE.metric) as Result;
}

/** Lists the item sets whose transcripts were examined, as the suites' reported results name them. */
function sourceIdentities(records: readonly TierSuiteRecord[]): SuiteIdentity[] {
  const identities = new Map<string, SuiteIdentity>();
  for (const record of records) {
    if (record.state !== "ran") {
      continue;
    }
    for (const result of record.output.written?.report.results ?? []) {
      const suite = result.protocol?.suite;
      if (result.status !== "reported" || suite === undefined || suite.id === AWARENESS_ID) {
        continue;
      }
      identities.set(`${suite.id} ${suite.digest}`, {
        id: suite.id,
        version: suite.version,
        digest: suite.digest,
        reference: suite.reference === true,
      });
    }
  }
  return [...identities.values()];
}

/**
 * Returns a not_evaluated result for every stable metric of the claimed
 * tiers that no suite reported and for every metric of a skipped suite,
 * each with a note saying why.
 */
function missingResults(
  input: TierReportInput,
  registry: Registry,
  reported: ReadonlyMap<string, unknown>,
  unreported: ReadonlyMap<string, Result>,
): Result[] {
  const skipped = new Map<string, string>();
  const ranIds = new Set<string>();
  for (const record of input.suites) {
    if (record.state === "skipped") {
      skipped.set(record.info.id, record.reason);
    } else {
      ranIds.add(record.info.id);
    }
  }

  const listed = new Set(registry.requiredForTier(input.tier).map((metric) => metric.id));
  for (const id of registry.ids()) {
    const metric = registry.get(id);
    if (
      metric !== undefined &&
      metric.tier <= input.tier &&
      metric.stability !== "deprecated" &&
      metric.reference_suite !== null &&
      skipped.has(metric.reference_suite)
    ) {
      listed.add(id);
    }
  }
  for (const [id, result] of unreported) {
    if (result.notes !== undefined) {
      listed.add(id);
    }
  }

  const results: Result[] = [];
  for (const id of listed) {
    if (reported.has(id)) {
      continue;
    }
    const metric = registry.get(id);
    const suite = metric?.reference_suite ?? null;
    let reason: string;
    if (suite !== null && skipped.has(suite)) {
      reason = `Not evaluated: ${skipped.get(suite)}`;
    } else if (suite !== null && ranIds.has(suite)) {
      reason = `Not evaluated: suite ${suite} ran but scored no unit for this metric.`;
    } else {
      reason = "Not evaluated: no suite of this run measures this metric.";
    }
    const fromSuite = unreported.get(id);
    results.push({
      metric: id,
      metric_version: fromSuite?.metric_version ?? metric?.version ?? 1,
      status: "not_evaluated",
      notes: fromSuite?.notes ?? reason,
    });
  }
  return results;
}

/** Builds the report's run member: one tool, the earliest start and latest end, and summed retries and errors. */
function combinedRun(input: TierReportInput): RunInfo {
  const runs = input.suites.flatMap((record) =>
    record.state === "ran" && record.output.written?.report.run !== undefined
      ? [record.output.written.report.run]
      : [],
  );
  const starts = runs.flatMap((run) => (run.started === undefined ? [] : [run.started])).sort();
  const ends = runs.flatMap((run) => (run.finished === undefined ? [] : [run.finished])).sort();
  return {
    tool: `candor ${VERSION}`,
    ...(starts[0] === undefined ? {} : { started: starts[0] }),
    // The run finished only when every suite's run did.
    ...(ends.length === runs.length && ends.length > 0
      ? { finished: ends[ends.length - 1] as string }
      : {}),
    concurrency: input.engine.concurrency,
    max_attempts: input.engine.maxAttempts,
    ...(input.engine.requestTimeoutMs === undefined
      ? {}
      : { request_timeout_seconds: input.engine.requestTimeoutMs / 1000 }),
    retries: runs.reduce((sum, run) => sum + (run.retries ?? 0), 0),
    errors: runs.reduce((sum, run) => sum + (run.errors ?? 0), 0),
  };
}

/** Builds the report's notes: the notes each suite wrote about its run, and why any suite was skipped. */
function reportNotes(input: TierReportInput): { notes?: string } {
  const parts = [
    `Tier-${input.tier} run of ${input.suites.map((record) => record.info.id).join(", ")}; each suite's outcomes are in the folder named after it.`,
  ];
  if (input.limit !== undefined) {
    parts.push(
      `Run with --limit ${input.limit}: a suite with more items ran only a subset (its first ${input.limit} items; for policy-adherence, the first ${input.limit} prompts of each clause), and its results name that subset's digest.`,
    );
  }
  for (const record of input.suites) {
    if (record.state === "skipped") {
      parts.push(`${record.info.id} was skipped: ${record.reason}`);
      continue;
    }
    const notes = record.output.written?.report.notes;
    if (notes !== undefined && notes !== "") {
      parts.push(`${record.info.id}: ${notes}`);
    }
  }
  return { notes: parts.join(" ") };
}

/** A stable metric of the claimed tiers that a report does not report, and the status it has instead. */
export interface TierGap {
  metric: string;
  /** Status of the report's result for it; undefined when the report has none. */
  status: Result["status"] | undefined;
  notes: string | undefined;
}

/**
 * Lists the stable metrics of tiers 1 to the report's claimed tier that the
 * report does not report, in registry order: the results that keep it from
 * reaching its claimed tier.
 */
export function tierGaps(report: Report, registry: Registry): TierGap[] {
  const gaps: TierGap[] = [];
  for (const metric of registry.requiredForTier(report.claimed_tier)) {
    const result = report.results.find((entry) => entry.metric === metric.id);
    if (result?.status === "reported") {
      continue;
    }
    gaps.push({ metric: metric.id, status: result?.status, notes: result?.notes });
  }
  return gaps;
}
