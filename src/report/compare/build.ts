import { comparability, requiredElicitationFields } from "../../spec/comparability.js";
import type { Report, Result } from "../../spec/generated/report.js";
import type { Registry, RegistryMetric } from "../../spec/registry.js";
import type { OpenedReport } from "../open.js";
import { differenceFor, type OutcomeSource } from "./difference.js";
import type {
  Cell,
  ComparedReport,
  Comparison,
  PairComparison,
  Row,
  SignatureStatus,
} from "./types.js";

/** Column letters A … Z, then AA, AB, … */
export function columnLetter(index: number): string {
  let letter = "";
  let rest = index;
  do {
    letter = String.fromCharCode(65 + (rest % 26)) + letter;
    rest = Math.floor(rest / 26) - 1;
  } while (rest >= 0);
  return letter;
}

export function signatureStatus(opened: OpenedReport): SignatureStatus {
  const envelope = opened.envelope;
  if (envelope === undefined) {
    return { state: "unsigned" };
  }
  if (envelope.verified) {
    return {
      state: "verified",
      ...(envelope.signer === undefined ? {} : { signer: envelope.signer }),
      ...(envelope.keyid === undefined ? {} : { keyid: envelope.keyid }),
    };
  }
  return { state: "unverified", reason: envelope.reason ?? "the signature did not verify" };
}

function describeReport(opened: OpenedReport, index: number): ComparedReport {
  const { report } = opened;
  return {
    letter: columnLetter(index),
    path: opened.path,
    reportId: report.report_id,
    modelName: report.model.name,
    ...(report.model.version === undefined ? {} : { modelVersion: report.model.version }),
    developer: report.model.developer,
    publisherName: report.publisher.name,
    relationship: report.publisher.relationship,
    claimedTier: report.claimed_tier,
    signature: signatureStatus(opened),
    ...(report.publisher.relationship === "documentation" && report.documents?.[0] !== undefined
      ? { document: report.documents[0].title }
      : {}),
  };
}

/** Position of each metric id in the registry (by tier, then id), for sorting rows. */
export function metricOrder(registry: Registry | undefined): Map<string, number> {
  return new Map((registry?.ids() ?? []).map((id, index) => [id, index]));
}

function rowKey(metric: string, variant: string | undefined): string {
  return variant === undefined ? metric : `${metric}#${variant}`;
}

function citationText(report: Report, result: Result): string | undefined {
  if (result.citation === undefined) {
    return undefined;
  }
  const document = report.documents?.find((entry) => entry.id === result.citation?.document);
  const title =
    document === undefined ? result.citation.document : `${document.author}, ${document.title}`;
  return `${title}, ${result.citation.locator}`;
}

/** Builds the cell for a result, or for its absence. */
export function cellFor(report: Report, result: Result | undefined, required: boolean): Cell {
  if (result === undefined) {
    return { state: required ? "missing" : "absent" };
  }
  const cell: Cell = { state: result.status, metricVersion: result.metric_version };
  const citation = citationText(report, result);
  if (citation !== undefined) {
    cell.citation = citation;
  }
  if (result.citation?.as_printed !== undefined) {
    cell.asPrinted = result.citation.as_printed;
  }
  if (result.reason !== undefined) {
    cell.reasonCode = result.reason.code;
    cell.reasonText = result.reason.text;
  }
  if (result.status !== "reported") {
    return cell;
  }
  if (result.value !== undefined) cell.value = result.value;
  if (result.interval !== undefined) cell.interval = result.interval;
  if (result.sample_size !== undefined) cell.sampleSize = result.sample_size;
  if (result.numerator !== undefined) cell.numerator = result.numerator;
  if (result.clusters !== undefined) cell.clusters = result.clusters;
  if (result.protocol?.suite !== undefined) {
    cell.suiteId = result.protocol.suite.id;
    cell.suiteDigest = result.protocol.suite.digest;
  }
  return cell;
}

interface RowDraft {
  metric: string;
  variant?: string;
  results: (Result | undefined)[];
}

function collectRows(reports: readonly OpenedReport[]): RowDraft[] {
  const drafts = new Map<string, RowDraft>();
  reports.forEach((opened, column) => {
    for (const result of opened.report.results) {
      const key = rowKey(result.metric, result.variant);
      let draft = drafts.get(key);
      if (draft === undefined) {
        draft = { metric: result.metric, results: reports.map(() => undefined) };
        if (result.variant !== undefined) {
          draft.variant = result.variant;
        }
        drafts.set(key, draft);
      }
      // A report contains at most one result per metric and variant. When a
      // broken report contains two, the first is shown and the validator
      // names the duplicate.
      draft.results[column] ??= result;
    }
  });
  return [...drafts.values()];
}

function ensureRequiredRows(
  drafts: RowDraft[],
  reports: readonly OpenedReport[],
  registry: Registry | undefined,
): void {
  if (registry === undefined) {
    return;
  }
  for (const opened of reports) {
    for (const metric of registry.requiredForTier(opened.report.claimed_tier)) {
      if (!drafts.some((draft) => draft.metric === metric.id && draft.variant === undefined)) {
        drafts.push({ metric: metric.id, results: reports.map(() => undefined) });
      }
    }
  }
}

function sortRows(drafts: RowDraft[], registry: Registry | undefined): RowDraft[] {
  const order = metricOrder(registry);
  return [...drafts].sort((a, b) => {
    const rankA = order.get(a.metric) ?? Number.MAX_SAFE_INTEGER;
    const rankB = order.get(b.metric) ?? Number.MAX_SAFE_INTEGER;
    if (rankA !== rankB) return rankA - rankB;
    if (a.metric !== b.metric) return a.metric.localeCompare(b.metric);
    // The headline result, without a variant, comes before its variants.
    if (a.variant === undefined) return -1;
    if (b.variant === undefined) return 1;
    return a.variant.localeCompare(b.variant);
  });
}

function requiredBy(report: Report, metric: string, registry: Registry | undefined): boolean {
  return (
    registry?.requiredForTier(report.claimed_tier).some((entry) => entry.id === metric) ?? false
  );
}

function describeMetric(row: Row, metric: RegistryMetric | undefined): void {
  if (metric === undefined) {
    return;
  }
  row.brief = metric.brief;
  row.better = metric.definition.better;
  row.unit = metric.definition.unit;
  row.tier = metric.tier;
  row.stability = metric.stability;
}

export interface CompareOptions {
  registry?: Registry;
  /** Reads per-item outcomes beside a report, for paired differences; without it only Newcombe is used. */
  outcomes?: OutcomeSource;
  /** Confidence level of difference intervals; 0.95 unless set. */
  level?: number;
}

/**
 * Lines up reports metric by metric. Every pair of columns gets its
 * comparability class, and directly comparable proportions get a difference
 * with an interval, second column minus first.
 */
export async function buildComparison(
  reports: readonly OpenedReport[],
  options: CompareOptions = {},
): Promise<Comparison> {
  const level = options.level ?? 0.95;
  const drafts = collectRows(reports);
  ensureRequiredRows(drafts, reports, options.registry);

  const rows: Row[] = [];
  for (const draft of sortRows(drafts, options.registry)) {
    const metric = options.registry?.get(draft.metric);
    const row: Row = {
      metric: draft.metric,
      unknownMetric: options.registry !== undefined && metric === undefined,
      cells: reports.map((opened, column) =>
        cellFor(
          opened.report,
          draft.results[column],
          // Only the headline row can be missing: variants are optional extras.
          draft.variant === undefined &&
            !opened.report.results.some((result) => result.metric === draft.metric) &&
            requiredBy(opened.report, draft.metric, options.registry),
        ),
      ),
      pairs: [],
    };
    if (draft.variant !== undefined) {
      row.variant = draft.variant;
    }
    describeMetric(row, metric);

    for (let first = 0; first < reports.length; first++) {
      for (let second = first + 1; second < reports.length; second++) {
        row.pairs.push(await comparePair(reports, draft, row, first, second, options, level));
      }
    }
    rows.push(row);
  }
  return { reports: reports.map(describeReport), rows, level };
}

async function comparePair(
  reports: readonly OpenedReport[],
  draft: RowDraft,
  row: Row,
  first: number,
  second: number,
  options: CompareOptions,
  level: number,
): Promise<PairComparison> {
  const resultA = draft.results[first];
  const resultB = draft.results[second];
  const labels = [columnLetter(first), columnLetter(second)] as const;
  if (resultA === undefined || resultB === undefined) {
    const absent = [
      resultA === undefined ? labels[0] : undefined,
      resultB === undefined ? labels[1] : undefined,
    ]
      .filter((label) => label !== undefined)
      .join(" and ");
    return {
      first,
      second,
      comparability: {
        class: "not_comparable",
        reasons: [`${absent} has no result for this metric`],
        cautions: [],
      },
    };
  }

  const definition = options.registry?.getVersion(draft.metric, resultA.metric_version);
  const pair: PairComparison = {
    first,
    second,
    comparability: comparability(resultA, resultB, {
      labels,
      ...(definition === undefined
        ? {}
        : { requiredElicitation: requiredElicitationFields(definition.required_protocol_fields) }),
    }),
  };
  if (pair.comparability.class !== "direct") {
    return pair;
  }
  const outcome = await differenceFor(
    { report: reports[first] as OpenedReport, result: resultA },
    { report: reports[second] as OpenedReport, result: resultB },
    {
      unit: row.unit,
      level,
      ...(options.outcomes === undefined ? {} : { outcomes: options.outcomes }),
    },
  );
  if ("note" in outcome) {
    pair.differenceNote = outcome.note;
  } else {
    pair.difference = outcome.difference;
    if (outcome.caution !== undefined) {
      pair.comparability.cautions.push(outcome.caution);
    }
  }
  return pair;
}
