/**
 * Builds a Candor report from a suite's measured metrics, for any suite. It
 * takes the measured values, the protocol they were measured under, the
 * per-item outcomes file and the run settings. It reads the metric registry
 * to list every stable metric of the claimed tier that the run did not
 * measure as not_evaluated, because a report must carry each of them exactly
 * once.
 */

import { createHash, type Hash, randomBytes } from "node:crypto";
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CandorError, InputOutputError, quote } from "../errors.js";
import type {
  Elicitation,
  Model,
  Outcomes,
  Publisher,
  Report,
  Result,
  RunInfo,
  Scorer,
} from "../spec/generated/report.js";
import { loadRegistry, type Registry } from "../spec/registry.js";
import type { MeasuredMetric, SuiteIdentity } from "../suites/types.js";
import { STANDARD_VERSION, VERSION } from "../version.js";

/** A measured metric that the registry does not define at that version. */
export class UnknownMetricError extends CandorError {
  constructor(metric: string, version: number) {
    super("unknown_metric", `metric ${quote(metric)} version ${version} is not in the registry`, {
      hint: "Add the metric to spec/registry, or correct the id or version the suite reports.",
    });
  }
}

export interface AssembleInput {
  publisher: Publisher;
  model: Model;
  /** Tier the report claims; every stable metric of it and the tiers below appears in the results. */
  claimedTier: number;
  suite: SuiteIdentity;
  metrics: readonly MeasuredMetric[];
  elicitation: Elicitation;
  scorer: Scorer;
  /** The per-item outcomes file, as written by `writeOutcomes`. */
  outcomes: Outcomes;
  run?: RunInfo;
  /** Notes added to every measured result. */
  resultNotes?: string;
  /** Extensions added to every measured result, under reverse-domain keys. */
  resultExtensions?: Record<string, unknown>;
  notes?: string;
  /** Defaults to the registry shipped in spec/registry. */
  registry?: Registry;
  reportId?: string;
  /** Defaults to now. */
  created?: Date;
}

/**
 * Assembles the report. Every measured metric becomes a reported result
 * carrying its Wilson interval, breakdowns, protocol and outcomes; every
 * stable metric required for the claimed tier that was not measured becomes
 * a not_evaluated result. Throws UnknownMetricError for a measured metric the
 * registry does not define.
 */
export function assembleReport(input: AssembleInput): Report {
  const registry = input.registry ?? loadRegistry();
  const results: Result[] = [];

  for (const measured of input.metrics) {
    const definition = registry.getVersion(measured.metric, measured.metric_version);
    if (definition === undefined) {
      throw new UnknownMetricError(measured.metric, measured.metric_version);
    }
    const reference = input.suite.reference && definition.reference_suite === input.suite.id;
    results.push({
      metric: measured.metric,
      metric_version: measured.metric_version,
      status: "reported",
      value: measured.value,
      sample_size: measured.sample_size,
      ...(measured.numerator === undefined ? {} : { numerator: measured.numerator }),
      ...(measured.unscored === undefined ? {} : { unscored: measured.unscored }),
      // Each item is sent once, so items are independent clusters.
      clusters: measured.sample_size,
      epochs: 1,
      interval: measured.interval,
      protocol: {
        suite: {
          id: input.suite.id,
          version: input.suite.version,
          digest: input.suite.digest,
          reference,
        },
        elicitation: input.elicitation,
        scorer: input.scorer,
      },
      ...(measured.breakdowns === undefined ? {} : { breakdowns: measured.breakdowns }),
      outcomes: input.outcomes,
      ...(joinNotes(measured.notes, input.resultNotes) === undefined
        ? {}
        : { notes: joinNotes(measured.notes, input.resultNotes) }),
      ...(input.resultExtensions === undefined ? {} : { extensions: input.resultExtensions }),
    });
  }

  const measuredIds = new Set(input.metrics.map((metric) => metric.metric));
  for (const required of registry.requiredForTier(input.claimedTier)) {
    if (!measuredIds.has(required.id)) {
      results.push({
        metric: required.id,
        metric_version: required.version,
        status: "not_evaluated",
      });
    }
  }

  const created = input.created ?? new Date();
  return {
    candor_version: STANDARD_VERSION,
    report_id: input.reportId ?? newReportId(created),
    created: created.toISOString(),
    publisher: input.publisher,
    model: input.model,
    claimed_tier: input.claimedTier,
    results,
    run: { tool: `candor ${VERSION}`, ...input.run },
    ...(input.notes === undefined ? {} : { notes: input.notes }),
  };
}

function joinNotes(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined && part !== "");
  return present.length === 0 ? undefined : present.join(" ");
}

/** A report id unique in practice: the creation time to the second and 32 random bits. */
export function newReportId(created: Date): string {
  const stamp = created
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `candor-${stamp}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes per-item outcomes as JSON Lines (one object per line, "\n" after
 * each) into `dir` and returns the report's outcomes member: the file name,
 * the digest of the bytes written and the line count.
 */
export function writeOutcomes(
  dir: string,
  records: readonly unknown[],
  name = "samples.jsonl",
): Outcomes {
  const path = join(dir, name);
  const unwritable = (error: unknown) =>
    new InputOutputError("outcomes_unwritable", path, `cannot write ${quote(path)}`, {
      hint: "Check that the output folder exists and is writable.",
      cause: error,
    });

  // Lines are written in chunks of about 64 KiB and hashed as they go. Joining every line
  // first held the file's text twice in memory (the lines and their join): over 100 MB at
  // 100,000 outcomes. The digest is the same, since hashing in pieces equals hashing the whole.
  const hash = createHash("sha256");
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (error) {
    throw unwritable(error);
  }
  try {
    let chunk = "";
    for (const record of records) {
      chunk += `${JSON.stringify(record)}\n`;
      if (chunk.length >= OUTCOMES_CHUNK_CHARS) {
        writeChunk(fd, chunk, hash, unwritable);
        chunk = "";
      }
    }
    writeChunk(fd, chunk, hash, unwritable);
  } finally {
    closeSync(fd);
  }
  return { path: name, digest: `sha256:${hash.digest("hex")}`, count: records.length };
}

const OUTCOMES_CHUNK_CHARS = 64 * 1024;

function writeChunk(
  fd: number,
  chunk: string,
  hash: Hash,
  unwritable: (error: unknown) => Error,
): void {
  const bytes = Buffer.from(chunk, "utf8");
  hash.update(bytes);
  try {
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
  } catch (error) {
    throw unwritable(error);
  }
}

/** Writes the report as indented JSON with a final newline. */
export function writeReport(dir: string, report: Report, name = "report.json"): string {
  const path = join(dir, name);
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`, "utf8");
  } catch (error) {
    throw new InputOutputError("report_unwritable", path, `cannot write ${quote(path)}`, {
      hint: "Check that the output folder exists and is writable.",
      cause: error,
    });
  }
  return path;
}
