import { open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { InputOutputError, quote } from "../errors.js";
import { STANDARD_VERSION } from "../version.js";
import { type AssuranceLevel, computeAssurance, type SignatureStatus } from "./assurance.js";
import { CheckContext } from "./checks/context.js";
import { checkOutcomeFiles } from "./checks/outcomes.js";
import { checkCoverage, checkDocuments, checkModel } from "./checks/report.js";
import { checkResults } from "./checks/results.js";
import type { Report } from "./generated/report.js";
import {
  DEFAULT_JSON_LIMITS,
  JsonDocumentError,
  type JsonLimits,
  parseJsonDocument,
  tooLargeError,
} from "./json.js";
import { isPlainObject, parsePointer } from "./pointer.js";
import type { Problem } from "./problem.js";
import type { Registry } from "./registry.js";
import { severityOf } from "./rules.js";
import { checkReportSchema } from "./schema.js";
import { parseVersion } from "./semver.js";
import { computeReachedTier, type TierGap, tierGaps } from "./tiers.js";
import {
  type AppliedTransform,
  loadTransforms,
  type Transform,
  upgradeReport,
} from "./transforms.js";

export interface ValidateOptions {
  registry: Registry;
  /** Result of verifying the report's signature; without it the report is self_reported. */
  signature?: SignatureStatus;
  /** Transforms for reports of older minor versions; defaults to those in spec/transforms. */
  transforms?: readonly Transform[];
  /** Version of the standard to validate against; defaults to the one this toolkit implements. */
  standardVersion?: string;
}

export interface ValidateFileOptions extends ValidateOptions {
  limits?: JsonLimits;
  /**
   * Opens a signed envelope around a report. It returns undefined for a
   * document that is not an envelope, the report's bytes and signature status
   * for one that is, or a problem for a malformed envelope. Signing lives in
   * the report module, so the caller supplies this.
   */
  unwrap?: (value: unknown) => Promise<UnwrappedEnvelope | Problem | undefined>;
}

/** A report taken out of a signed envelope. */
export interface UnwrappedEnvelope {
  payload: Uint8Array;
  signature: SignatureStatus & { reason?: string; payloadType: string };
}

export interface ValidationResult {
  /** True when no problem has severity error; warnings leave a report valid. */
  valid: boolean;
  problems: Problem[];
  /** claimed_tier as written, when it is an integer. */
  claimedTier: number | undefined;
  /** Tier the report reaches (see computeReachedTier); 0 when none. */
  reachedTier: number;
  /** Stable metrics of the claimed tier and below without a reported result; empty when the claim is met. */
  tierGaps: TierGap[];
  assurance: AssuranceLevel;
  /** candor_version as written, before any upgrade. */
  candorVersion: string | undefined;
  /** Transforms applied to bring an older report to the current version. */
  upgrades: AppliedTransform[];
  /** The document after upgrades; undefined when the file was not readable JSON. */
  report: unknown;
}

export interface FileValidationResult extends ValidationResult {
  path: string;
  /** Signature status when the file was an envelope around the report. */
  envelope?: UnwrappedEnvelope["signature"];
}

let defaultTransforms: Transform[] | undefined;

/** Returns the transforms in spec/transforms, read once per process. */
function publishedTransforms(): Transform[] {
  defaultTransforms ??= loadTransforms();
  return defaultTransforms;
}

/**
 * Validates a parsed report: version, schema, then the semantic rules that
 * the schema cannot express. Never throws for a bad report; every finding is
 * a Problem. Outcomes files are not checked, because they need the report's
 * folder (see validateReportFile).
 */
export function validateReport(value: unknown, options: ValidateOptions): ValidationResult {
  const analysis = analyse(value, options);
  return finish(analysis, options);
}

/**
 * Reads, parses and validates a report file, including the outcomes files
 * its results name. JSON problems (not JSON, too large, duplicate keys…)
 * come back as problems of an invalid report. Throws InputOutputError when the
 * path is missing, a folder, or unreadable.
 */
export async function validateReportFile(
  path: string,
  options: ValidateFileOptions,
): Promise<FileValidationResult> {
  const bytesOrProblem = await readReportBytes(path, options.limits);
  if (!(bytesOrProblem instanceof Uint8Array)) {
    return { path, ...invalidDocument(bytesOrProblem) };
  }

  let value: unknown;
  try {
    value = parseJsonDocument(bytesOrProblem, options.limits);
  } catch (error) {
    if (error instanceof JsonDocumentError) {
      return { path, ...invalidDocument(problemFromJsonError(error)) };
    }
    throw error;
  }

  let envelope: UnwrappedEnvelope["signature"] | undefined;
  const unwrapped = await options.unwrap?.(value);
  if (unwrapped !== undefined && "code" in unwrapped) {
    return { path, ...invalidDocument(unwrapped) };
  }
  if (unwrapped !== undefined) {
    envelope = unwrapped.signature;
    try {
      value = parseJsonDocument(unwrapped.payload, options.limits);
    } catch (error) {
      if (error instanceof JsonDocumentError) {
        return { path, envelope, ...invalidDocument(problemFromJsonError(error)) };
      }
      throw error;
    }
  }

  const fileOptions: ValidateOptions =
    envelope === undefined ? options : { ...options, signature: envelope };
  const analysis = analyse(value, fileOptions);
  let brokenOutcomes: Set<number> | undefined;
  if (analysis.context !== undefined) {
    brokenOutcomes = await checkOutcomeFiles(analysis.context, dirname(path));
  }
  const result: FileValidationResult = { path, ...finish(analysis, fileOptions, brokenOutcomes) };
  if (envelope !== undefined) {
    result.envelope = envelope;
  }
  return result;
}

interface Analysis {
  problems: Problem[];
  context: CheckContext | undefined;
  report: unknown;
  candorVersion: string | undefined;
  upgrades: AppliedTransform[];
}

function analyse(value: unknown, options: ValidateOptions): Analysis {
  const standardVersion = options.standardVersion ?? STANDARD_VERSION;
  const supported = parseVersion(standardVersion);
  if (supported === undefined) {
    throw new TypeError(`standardVersion ${quote(standardVersion)} is not MAJOR.MINOR.PATCH`);
  }
  const candorVersion =
    isPlainObject(value) && typeof value.candor_version === "string"
      ? value.candor_version
      : undefined;

  // Older minor lines are upgraded first, so the rest of the validator only
  // ever handles the current shape.
  const transforms = options.transforms ?? publishedTransforms();
  const { report, applied: upgrades } = upgradeReport(value, transforms, standardVersion);
  const problems: Problem[] = [];

  const version =
    isPlainObject(report) && typeof report.candor_version === "string"
      ? parseVersion(report.candor_version)
      : undefined;
  let mode: "strict" | "lenient" = "strict";
  if (version !== undefined && version.major !== supported.major) {
    problems.push({
      code: "version.unsupported_major",
      severity: severityOf("version.unsupported_major"),
      pointer: "/candor_version",
      value: candorVersion,
      message: `candor_version ${quote(candorVersion)} has major version ${version.major}; this validator reads major version ${supported.major}`,
      hint:
        version.major > supported.major
          ? "upgrade Candor to a release that implements this major version of the standard"
          : `convert the report to version ${supported.major}.x of the standard`,
    });
    return { problems, context: undefined, report, candorVersion, upgrades };
  }
  if (version !== undefined && version.minor > supported.minor) {
    problems.push({
      code: "version.newer_minor",
      severity: severityOf("version.newer_minor"),
      pointer: "/candor_version",
      value: candorVersion,
      message: `candor_version ${quote(candorVersion)} is newer than ${standardVersion}; members this validator does not know were ignored`,
      hint: "upgrade Candor to check the members the newer version adds",
    });
    mode = "lenient";
  }

  // The lenient validator deletes unknown members, so it works on a copy.
  const checked = mode === "lenient" ? structuredClone(report) : report;
  const schema = checkReportSchema(checked, mode);
  problems.push(...schema.problems);

  if (!isPlainObject(checked)) {
    return { problems, context: undefined, report: checked, candorVersion, upgrades };
  }
  const context = new CheckContext(
    checked as unknown as Report,
    options.registry,
    schema.failedPaths,
  );
  checkModel(context);
  checkDocuments(context);
  checkCoverage(context);
  checkResults(context);
  return { problems, context, report: checked, candorVersion, upgrades };
}

function finish(
  analysis: Analysis,
  options: ValidateOptions,
  brokenOutcomes?: Set<number>,
): ValidationResult {
  const problems = [...analysis.problems, ...sortProblems(analysis.context?.problems ?? [])];
  const report = analysis.report;
  const claimedTier =
    isPlainObject(report) && Number.isInteger(report.claimed_tier)
      ? (report.claimed_tier as number)
      : undefined;

  // A result with an error does not count towards the reached tier.
  const resultsWithErrors = new Set<number>();
  for (const problem of problems) {
    const tokens = parsePointer(problem.pointer);
    if (problem.severity === "error" && tokens?.[0] === "results" && tokens[1] !== undefined) {
      resultsWithErrors.add(Number(tokens[1]));
    }
  }
  const unsupported = problems.some((problem) => problem.code === "version.unsupported_major");
  const reachedTier =
    unsupported || !isPlainObject(report)
      ? 0
      : computeReachedTier(
          report.results,
          options.registry,
          (index) => !resultsWithErrors.has(index),
        );

  // What keeps the report below its claimed tier, so a reader sees which
  // disclosures are missing rather than only a lower number.
  const gaps =
    unsupported || !isPlainObject(report) || claimedTier === undefined || reachedTier >= claimedTier
      ? []
      : tierGaps(
          report.results,
          options.registry,
          claimedTier,
          (index) => !resultsWithErrors.has(index),
        );

  const assuranceInput: Parameters<typeof computeAssurance>[1] = {};
  if (options.signature !== undefined) {
    assuranceInput.signature = options.signature;
  }
  if (brokenOutcomes !== undefined) {
    assuranceInput.brokenOutcomes = brokenOutcomes;
  }
  return {
    valid: !problems.some((problem) => problem.severity === "error"),
    problems,
    claimedTier,
    reachedTier,
    tierGaps: gaps,
    assurance: unsupported ? "self_reported" : computeAssurance(report, assuranceInput),
    candorVersion: analysis.candorVersion,
    upgrades: analysis.upgrades,
    report,
  };
}

function invalidDocument(problem: Problem): ValidationResult {
  return {
    valid: false,
    problems: [problem],
    claimedTier: undefined,
    reachedTier: 0,
    tierGaps: [],
    assurance: "self_reported",
    candorVersion: undefined,
    upgrades: [],
    report: undefined,
  };
}

export function problemFromJsonError(error: JsonDocumentError): Problem {
  const problem: Problem = {
    code: error.code,
    severity: "error",
    pointer: error.pointer,
    message: error.message,
    hint: error.hint ?? "",
  };
  if (error.value !== undefined) {
    problem.value = error.value;
  }
  return problem;
}

/**
 * Reads a report's bytes, checking the size before reading so a huge file is
 * rejected without being loaded. Returns a json.too_large problem instead of
 * the bytes when it is over the limit.
 */
async function readReportBytes(
  path: string,
  limits: JsonLimits | undefined,
): Promise<Uint8Array | Problem> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_JSON_LIMITS.maxBytes;
  // stat before open: opening a FIFO for reading blocks until a writer appears.
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw ioError(path, error);
  }
  if (info.isDirectory()) {
    throw new InputOutputError("io.is_directory", path, `${path} is a folder, not a report file`, {
      hint: "pass report files; a shell glob such as reports/*.json expands to every report in a folder",
    });
  }
  if (!info.isFile()) {
    throw new InputOutputError("io.not_a_file", path, `${path} is not a regular file`, {
      hint: "pass a report file; devices, pipes and sockets are not read",
    });
  }
  if (info.size > maxBytes) {
    return tooLarge(info.size, maxBytes);
  }

  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw ioError(path, error);
  }
  try {
    // One byte more than stat reported shows whether the file grew meanwhile.
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) {
        break;
      }
      length += bytesRead;
      if (length === buffer.length) {
        throw new InputOutputError(
          "io.unreadable",
          path,
          `${path} changed while it was being read`,
          {
            hint: "validate the file once whatever writes it has finished",
          },
        );
      }
    }
    return buffer.subarray(0, length);
  } catch (error) {
    throw error instanceof InputOutputError ? error : ioError(path, error);
  } finally {
    await handle.close();
  }
}

function tooLarge(size: number, maxBytes: number): Problem {
  return problemFromJsonError(tooLargeError(size, maxBytes));
}

function ioError(path: string, error: unknown): InputOutputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new InputOutputError("io.not_found", path, `${path} does not exist`, {
      hint: "check the path; relative paths start from the current folder",
      cause: error,
    });
  }
  if (code === "EISDIR") {
    return new InputOutputError("io.is_directory", path, `${path} is a folder, not a report file`, {
      hint: "pass report files; a shell glob such as reports/*.json expands to every report in a folder",
      cause: error,
    });
  }
  if (code === "ELOOP") {
    return new InputOutputError("io.unreadable", path, `${path} is a symbolic link loop`, {
      hint: "point the link at a report file, or pass the file itself",
      cause: error,
    });
  }
  return new InputOutputError(
    "io.unreadable",
    path,
    `${path} cannot be read (${code ?? "unknown error"})`,
    {
      hint: "check the file's permissions",
      cause: error,
    },
  );
}

/**
 * Orders problems by the result they concern, keeping report-level problems
 * first and the rules' order within one result.
 */
function sortProblems(problems: Problem[]): Problem[] {
  const resultIndex = (problem: Problem): number => {
    const tokens = parsePointer(problem.pointer);
    return tokens?.[0] === "results" && tokens[1] !== undefined && /^[0-9]+$/.test(tokens[1])
      ? Number(tokens[1])
      : -1;
  };
  return [...problems].sort((a, b) => resultIndex(a) - resultIndex(b));
}
