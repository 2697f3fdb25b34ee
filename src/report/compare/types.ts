import type { Comparability } from "../../spec/comparability.js";
import type { Direction as Better } from "../../spec/generated/registry.js";
import type {
  Interval,
  PublisherRelationship,
  ReasonCode,
  ResultStatus,
} from "../../spec/generated/report.js";

/** Signature status of one report, as shown beside its column. */
export interface SignatureStatus {
  state: "unsigned" | "verified" | "unverified";
  signer?: string;
  keyid?: string;
  /** Reason the envelope's signature did not verify. */
  reason?: string;
}

/** One report, one column. */
export interface ComparedReport {
  /** Column letter: A, B, … Z, AA, … */
  letter: string;
  path: string;
  reportId: string;
  modelName: string;
  modelVersion?: string;
  developer: string;
  publisherName: string;
  relationship: PublisherRelationship;
  /** Undefined when the report's claimed_tier is missing or invalid. */
  claimedTier: number | undefined;
  signature: SignatureStatus;
  /** Title of the first document cited, for reports transcribed from documentation. */
  document?: string;
}

/**
 * What one report says about one metric and variant. `missing` is a metric the
 * report's claimed tier requires but that the report leaves out; `absent` is
 * a metric the report has no reason to carry.
 */
export type CellState = ResultStatus | "missing" | "absent";

export interface Cell {
  state: CellState;
  metricVersion?: number;
  value?: number;
  interval?: Interval;
  sampleSize?: number;
  numerator?: number;
  clusters?: number;
  reasonCode?: ReasonCode;
  reasonText?: string;
  /** The value as the cited document prints it. */
  asPrinted?: string;
  /** Document title and locator, for transcribed values. */
  citation?: string;
  suiteId?: string;
  suiteDigest?: string;
}

/** A difference between two directly comparable proportions: second minus first. */
export interface Difference {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  /** newcombe: two independent proportions; paired: per-item outcomes over the same items. */
  method: "newcombe" | "paired";
  /** True when the interval excludes zero. */
  distinguishable: boolean;
  /** Interval formula of a paired difference, for example tango (Tango's score interval). */
  pairedInterval?: string;
  /**
   * McNemar's exact test, for paired differences; `discordant` counts items
   * where only the first report's outcome is 1, then only the second's.
   */
  test?: { name: "mcnemar_exact"; pValue: number; discordant: [number, number] };
  /** Items both reports scored, for paired differences. */
  pairedItems?: number;
}

/** Two columns' cells for one row, put side by side. */
export interface PairComparison {
  /** Column indexes; the difference is `second` minus `first`. */
  first: number;
  second: number;
  comparability: Comparability;
  difference?: Difference;
  /** Reason no difference is given although both cells contain values. */
  differenceNote?: string;
}

/** One metric and variant: a cell per report and the pairs between them. */
export interface Row {
  metric: string;
  variant?: string;
  brief?: string;
  better?: Better;
  /** Registry unit, used to print proportions as percentages; undefined for an unknown metric. */
  unit?: "proportion" | "proportion_difference" | "score" | "ratio";
  tier?: number;
  stability?: string;
  /** True when no report's registry defines the metric. */
  unknownMetric: boolean;
  cells: Cell[];
  pairs: PairComparison[];
}

export interface Comparison {
  reports: ComparedReport[];
  rows: Row[];
  /** Level of every difference interval. */
  level: number;
}
