import { readFileSync } from "node:fs";
import { quote } from "../errors.js";
import { createAjv } from "../spec/ajv.js";
import { resolvePointer } from "../spec/pointer.js";
import type { Problem } from "../spec/problem.js";
import { loadRegistry, type Registry } from "../spec/registry.js";
import { checkReportSchema, REPORT_SCHEMA_PATH } from "../spec/schema.js";
import { evaluationDigest, type ProbeApplication } from "./apply.js";
import { ProbeDataError } from "./errors.js";
import type { ProbeEvaluation } from "./evaluate.js";

/** Metric ids a probe result can carry: the registry's probe activation rates. */
export const PROBE_METRICS = [
  "probe.deception_activation_rate",
  "probe.concealment_activation_rate",
] as const;

export interface ProbeResultOptions {
  metric: string;
  evaluation: ProbeEvaluation;
  application: ProbeApplication;
  /** The target set as the result's suite: an id and version chosen by the publisher. */
  suite: { id: string; version: string };
  /** Label that distinguishes several results for one metric in one report. */
  variant?: string;
  registry?: Registry;
}

/** A report result, shaped as spec/schema/report.schema.json `$defs/result`. */
export type ReportResult = Record<string, unknown> & {
  metric: string;
  metric_version: number;
  status: "reported";
};

/**
 * Builds the report result for a probe activation rate from an evaluation and
 * an application of the same probe. The application must use the
 * evaluation's threshold. Every protocol field the registry requires for the
 * metric is checked to be present.
 */
export function buildProbeResult(options: ProbeResultOptions): ReportResult {
  const { evaluation, application, metric } = options;
  const registry = options.registry ?? loadRegistry();
  const definition = registry.get(metric);
  if (definition === undefined || !definition.id.startsWith("probe.")) {
    throw new ProbeDataError(
      "probe.report.unknown_metric",
      `metric ${quote(metric)} is not a probe metric of the registry`,
      {
        hint: `Use one of ${PROBE_METRICS.join(", ")}.`,
      },
    );
  }
  if (evaluation.probe.digest !== application.probe.digest) {
    throw new ProbeDataError(
      "probe.report.probe_mismatch",
      `the evaluation used probe ${evaluation.probe.digest} but the application used ${application.probe.digest}`,
      { hint: "Evaluate and apply the same probe artifact." },
    );
  }
  const expectedDigest = evaluationDigest(evaluation);
  if (
    application.evaluation_digest !== expectedDigest ||
    application.threshold !== evaluation.calibration.threshold
  ) {
    throw new ProbeDataError(
      "probe.report.threshold_mismatch",
      `the application used threshold ${application.threshold}${application.evaluation_digest === null ? " given directly" : ` from evaluation ${application.evaluation_digest}`}, not the calibrated threshold ${evaluation.calibration.threshold} of evaluation ${expectedDigest}`,
      { hint: "Run `candor probe apply` with --eval set to this evaluation file." },
    );
  }

  const rate = application.target.activation_rate;
  const auroc = evaluation.validation.auroc;
  const realised = evaluation.calibration.realised_false_positive_rate;
  const probe: Record<string, unknown> = {
    kind: evaluation.probe.kind,
    layer: evaluation.probe.layer,
    aggregation: evaluation.probe.aggregation,
    artifact_digest: evaluation.probe.digest,
    training_set_digest: evaluation.probe.training_set_digest,
    validation_auroc: auroc.value,
    target_false_positive_rate: evaluation.calibration.target_false_positive_rate,
    realised_false_positive_rate: realised.value,
    control_set_digest: evaluation.calibration.control_set.digest,
    threshold: evaluation.calibration.threshold,
  };
  const notes: string[] = [
    `Probe on layer ${evaluation.probe.layer}, ${evaluation.probe.aggregation} over response tokens, ` +
      `trained on ${quote(evaluation.probe.positive_label)} vs ${quote(evaluation.probe.negative_label)} responses.`,
    `Validation AUROC ${formatNumber(auroc.value)} on ${auroc.positives} positive and ${auroc.negatives} negative responses, ` +
      `${formatLevel(auroc.interval.level)} ${auroc.interval.method} interval [${formatNumber(auroc.interval.lower)}, ${formatNumber(auroc.interval.upper)}].`,
    `Threshold set on ${evaluation.calibration.calibration_responses} control responses for a false-positive rate of at most ${evaluation.calibration.target_false_positive_rate}; ` +
      `realised ${realised.numerator}/${realised.sample_size} = ${formatNumber(realised.value)} on held-out control responses, ` +
      `${formatLevel(realised.interval.level)} ${realised.interval.method} interval [${formatNumber(realised.interval.lower)}, ${formatNumber(realised.interval.upper)}].`,
  ];
  if (intervalMethodAllowed(auroc.interval.method)) {
    probe.validation_auroc_interval = { ...auroc.interval };
  }

  const result: ReportResult = {
    metric: definition.id,
    metric_version: definition.version,
    ...(options.variant === undefined ? {} : { variant: options.variant }),
    status: "reported",
    value: rate.value,
    sample_size: rate.sample_size,
    numerator: rate.numerator,
    clusters: application.target.transcripts,
    interval: { ...rate.interval },
    protocol: {
      suite: {
        id: options.suite.id,
        version: options.suite.version,
        digest: application.target.set.digest,
      },
    },
    probe,
    notes: notes.join(" "),
  };

  const missing = definition.required_protocol_fields.filter(
    (pointer) => !resolvePointer(result, pointer).found,
  );
  if (missing.length > 0) {
    throw new ProbeDataError(
      "probe.report.missing_fields",
      `the result lacks fields the registry requires for ${metric}: ${missing.join(", ")}`,
      { hint: "This is a gap between the probe tools and the registry; please report it." },
    );
  }
  return result;
}

let resultValidator: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;
let intervalMethods: string[] | undefined;

function reportSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(REPORT_SCHEMA_PATH, "utf8")) as Record<string, unknown>;
}

/**
 * Checks whether the report schema lists an interval method. When it does
 * not (DeLong's AUROC interval may be missing), the interval is given only in
 * the result's notes, so the result stays valid.
 */
function intervalMethodAllowed(method: string): boolean {
  if (intervalMethods === undefined) {
    const defs = reportSchema().$defs as Record<
      string,
      { properties?: { method?: { enum?: string[] } } }
    >;
    intervalMethods = defs.interval?.properties?.method?.enum ?? [];
  }
  return intervalMethods.includes(method);
}

/** Validates one result against the report schema's `$defs/result`; returns ajv's messages. */
export function checkResultSchema(result: unknown): string[] {
  if (resultValidator === undefined) {
    const ajv = createAjv();
    const schema = reportSchema();
    ajv.addSchema(schema);
    resultValidator = ajv.compile({ $ref: `${schema.$id as string}#/$defs/result` });
  }
  if (resultValidator(result)) {
    return [];
  }
  return (resultValidator.errors ?? []).map(
    (error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`,
  );
}

/**
 * Puts a result into a report: it replaces the result with the same metric
 * and variant, or is appended. The report is then checked against the schema
 * and the problems are returned; the input object is not modified.
 */
export function mergeResultIntoReport(
  report: unknown,
  result: ReportResult,
): { report: Record<string, unknown>; problems: Problem[] } {
  if (typeof report !== "object" || report === null || Array.isArray(report)) {
    throw new ProbeDataError(
      "probe.report.not_a_report",
      "the report to merge into is not a JSON object",
      {
        hint: "Pass a Candor report file to --into.",
      },
    );
  }
  const copy = structuredClone(report) as Record<string, unknown>;
  const results = Array.isArray(copy.results)
    ? [...(copy.results as Record<string, unknown>[])]
    : [];
  const position = results.findIndex(
    (existing) => existing?.metric === result.metric && existing?.variant === result.variant,
  );
  if (position >= 0) {
    results[position] = result;
  } else {
    results.push(result);
  }
  copy.results = results;
  const { problems } = checkReportSchema(copy, "strict");
  return { report: copy, problems };
}

function formatNumber(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

function formatLevel(level: number): string {
  return `${Number((level * 100).toPrecision(4))}%`;
}
