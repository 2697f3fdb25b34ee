import { requiredElicitationFields } from "../../spec/comparability.js";
import type { Result } from "../../spec/generated/report.js";
import type { Registry, RegistryMetric } from "../../spec/registry.js";
import { metricOrder, signatureStatus } from "../compare/build.js";
import type { SignatureStatus } from "../compare/types.js";
import type { OpenedReport } from "../open.js";
import type { ReportAssessment } from "../render/assessment.js";
import { type ComparabilityGroup, groupResults } from "./groups.js";

/** One report of the site, with the file name of its page. */
export interface SiteReport {
  opened: OpenedReport;
  assessment: ReportAssessment;
  signature: SignatureStatus;
  /** File name of the report's page under reports/, safe as a path segment. */
  slug: string;
  title: string;
  /** Second header line telling apart reports on one model: publisher, or the document transcribed. */
  source: string;
}

/** One metric and variant across every report of the site. */
export interface SiteMetric {
  metric: string;
  variant?: string;
  definition?: RegistryMetric;
  /** File name of the metric's page under metrics/. */
  slug: string;
  /** Per report: its result, or undefined. */
  results: (Result | undefined)[];
  /** Per report: true when its claimed tier requires the metric and it has no result for it. */
  missing: boolean[];
  groups: ComparabilityGroup[];
  /** Per report: comparability group label of its value. */
  groupOf: (string | undefined)[];
}

export interface SiteModel {
  reports: SiteReport[];
  metrics: SiteMetric[];
}

/**
 * Turns a string into a file name: letters, digits, dot, dash and underscore
 * only, no leading dot, at most 100 characters, unique among `taken`.
 */
export function uniqueSlug(text: string, taken: Set<string>): string {
  let base = text
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 100);
  if (base.length === 0) {
    base = "page";
  }
  let slug = base;
  for (let suffix = 2; taken.has(slug.toLowerCase()); suffix++) {
    slug = `${base}-${suffix}`;
  }
  // Case-insensitive file systems would merge names that differ only in case.
  taken.add(slug.toLowerCase());
  return slug;
}

function sourceLine(opened: OpenedReport): string {
  const { report } = opened;
  if (report.publisher.relationship === "documentation") {
    const document = report.documents?.[0];
    return document === undefined
      ? `transcribed by ${report.publisher.name}`
      : `from ${document.title}`;
  }
  return `${report.publisher.name} (${report.publisher.relationship === "first_party" ? "first party" : "third party"})`;
}

function modelTitle(opened: OpenedReport): string {
  const model = opened.report.model;
  return model.version === undefined ? model.name : `${model.name} ${model.version}`;
}

/** Builds the site's data: reports in a stable order and every metric row with its comparability groups. */
export function buildSiteModel(
  entries: readonly { opened: OpenedReport; assessment: ReportAssessment }[],
  registry: Registry,
): SiteModel {
  const sorted = [...entries].sort(
    (a, b) =>
      a.opened.report.model.developer.localeCompare(b.opened.report.model.developer) ||
      modelTitle(a.opened).localeCompare(modelTitle(b.opened)) ||
      sourceLine(a.opened).localeCompare(sourceLine(b.opened)),
  );
  const reportSlugs = new Set<string>();
  const reports: SiteReport[] = sorted.map(({ opened, assessment }) => ({
    opened,
    assessment,
    signature: signatureStatus(opened),
    slug: uniqueSlug(opened.report.report_id, reportSlugs),
    title: modelTitle(opened),
    source: sourceLine(opened),
  }));

  const keys = new Map<string, { metric: string; variant?: string }>();
  for (const { opened } of reports) {
    for (const result of opened.report.results) {
      const key = `${result.metric}#${result.variant ?? ""}`;
      if (!keys.has(key)) {
        keys.set(key, {
          metric: result.metric,
          ...(result.variant === undefined ? {} : { variant: result.variant }),
        });
      }
    }
    for (const metric of registry.requiredForTier(opened.report.claimed_tier)) {
      keys.set(`${metric.id}#`, { metric: metric.id });
    }
  }

  const order = metricOrder(registry);
  const rows = [...keys.values()].sort(
    (a, b) =>
      (order.get(a.metric) ?? Number.MAX_SAFE_INTEGER) -
        (order.get(b.metric) ?? Number.MAX_SAFE_INTEGER) ||
      a.metric.localeCompare(b.metric) ||
      (a.variant ?? "").localeCompare(b.variant ?? ""),
  );

  const metricSlugs = new Set<string>();
  const metrics = rows.map(({ metric, variant }): SiteMetric => {
    const results = reports.map(({ opened }) =>
      opened.report.results.find(
        (result) => result.metric === metric && result.variant === variant,
      ),
    );
    const missing = reports.map(
      ({ opened }, index) =>
        variant === undefined &&
        results[index] === undefined &&
        !opened.report.results.some((result) => result.metric === metric) &&
        registry.requiredForTier(opened.report.claimed_tier).some((entry) => entry.id === metric),
    );
    const definition = registry.get(metric);
    const { groups, groupOf } = groupResults(
      results,
      definition === undefined
        ? undefined
        : requiredElicitationFields(definition.required_protocol_fields),
    );
    return {
      metric,
      ...(variant === undefined ? {} : { variant }),
      ...(definition === undefined ? {} : { definition }),
      slug: uniqueSlug(variant === undefined ? metric : `${metric}--${variant}`, metricSlugs),
      results,
      missing,
      groups,
      groupOf,
    };
  });
  return { reports, metrics };
}
