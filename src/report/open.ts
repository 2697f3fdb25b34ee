import { readFile, stat } from "node:fs/promises";
import { CandorError, InputOutputError, quote } from "../errors.js";
import type { Report } from "../spec/generated/report.js";
import { DEFAULT_JSON_LIMITS, JsonDocumentError, parseJsonDocument } from "../spec/json.js";
import { pruneToReportSchema } from "../spec/schema.js";
import { type DsseSignature, looksLikeEnvelope, parseEnvelope } from "./sign/dsse.js";
import { SignatureError } from "./sign/errors.js";
import type { TrustedKey } from "./sign/keys.js";
import { unwrapPayload } from "./sign/payload.js";
import { verifyEnvelope } from "./sign/verify.js";

/** Signature status of a report read from an envelope. */
export interface OpenedEnvelope {
  payloadType: string;
  signatures: DsseSignature[];
  /** True when a signature verified with one of the trusted keys given. */
  verified: boolean;
  /** Name of the trusted key whose signature verified. */
  signer?: string;
  keyid?: string;
  /** Reason the signature did not verify, for example "no trusted key was given". */
  reason?: string;
  /** True when the payload is an in-toto Statement around the report. */
  statement: boolean;
}

export interface OpenedReport {
  path: string;
  /**
   * The parsed report without the members that fail the schema, so readers
   * can trust the type of every member present. An invalid report therefore
   * shows less than its file holds; run the validator on `document` for why.
   */
  report: Report;
  /** The report as parsed, before members were removed: what the validator checks. */
  document: unknown;
  /** The report's exact bytes: the file for a bare report, the signed payload for an envelope. */
  bytes: Buffer;
  envelope?: OpenedEnvelope;
}

/** A file that parses but is not a report or an envelope around one. */
export class ReportShapeError extends CandorError {
  constructor(path: string, message: string) {
    super("report.shape", `${quote(path)}: ${message}`, {
      hint: "Pass a Candor report (JSON) or a DSSE envelope made by `candor sign`; run `candor validate` for details.",
      exitCode: 1,
    });
  }
}

// An envelope carries its payload in base64, which is 4/3 the size of the
// bytes, so the file may be larger than the largest report it contains.
const MAX_FILE_BYTES = Math.ceil((DEFAULT_JSON_LIMITS.maxBytes * 4) / 3) + 64 * 1024;

function parseJson(bytes: Buffer, path: string, what: string, maxBytes: number): unknown {
  try {
    return parseJsonDocument(bytes, { maxBytes });
  } catch (error) {
    if (error instanceof JsonDocumentError) {
      const at = error.line > 0 ? ` at line ${error.line}, column ${error.column}` : "";
      throw new CandorError(
        error.code,
        `${quote(path)}: ${what} is not a usable JSON document${at}: ${error.message}`,
        {
          hint: error.hint ?? "",
          exitCode: 1,
        },
      );
    }
    throw error;
  }
}

/**
 * Checks only what readers need to display a report: an object with a model,
 * a publisher and a results list. Everything else is the validator's job, so
 * an invalid report can still be shown together with its problems.
 */
function requireReportShape(value: unknown, path: string): Report {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ReportShapeError(path, "the document is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  for (const field of ["model", "publisher"]) {
    const entry = record[field];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new ReportShapeError(path, `the report has no ${field} object`);
    }
  }
  if (!Array.isArray(record.results)) {
    throw new ReportShapeError(path, "the report has no results list");
  }
  for (const [index, result] of record.results.entries()) {
    if (
      typeof result !== "object" ||
      result === null ||
      typeof (result as { metric?: unknown }).metric !== "string"
    ) {
      throw new ReportShapeError(path, `results[${index}] has no metric id`);
    }
  }

  const pruned = pruneToReportSchema(value, isShapeMember) as Report;
  // Readers name a report by these members in titles, columns and file names.
  const names: [string, unknown][] = [
    ["report_id", pruned.report_id],
    ["model.name", pruned.model.name],
    ["model.developer", pruned.model.developer],
    ["publisher.name", pruned.publisher.name],
    ["publisher.relationship", pruned.publisher.relationship],
  ];
  for (const [name, member] of names) {
    if (typeof member !== "string") {
      throw new ReportShapeError(path, `the report has no valid ${name}`);
    }
  }
  for (const [index, result] of pruned.results.entries()) {
    // The schema removed a status that is not one of the five the standard
    // defines. Without a status, a reader cannot tell a value from a disclosure.
    if (result.status === undefined) {
      throw new ReportShapeError(path, `results[${index}] has no valid status`);
    }
  }
  return pruned;
}

/** Members the shape check guarantees, which pruning must keep so the shape holds. */
function isShapeMember(pointer: string): boolean {
  return /^(|\/model|\/publisher|\/results(\/[0-9]+(\/metric)?)?)$/.test(pointer);
}

/**
 * Reads a report from a file that contains either a bare report or a DSSE
 * envelope around one, distinguished by their fields. An envelope's
 * signatures are checked against `trustedKeys`. A signature that does not
 * verify is returned as `verified: false` with the reason rather than thrown,
 * so a reader can still show the report and say plainly that its signature
 * did not verify. A malformed envelope (bad base64, no signatures) throws,
 * because its payload cannot be trusted to be what was signed.
 */
export async function openReport(
  path: string,
  options: { trustedKeys?: readonly TrustedKey[] } = {},
): Promise<OpenedReport> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new InputOutputError("file.not_found", path, `cannot read ${quote(path)}`, {
      hint: "Check the path.",
      cause,
    });
  });
  if (!info.isFile()) {
    throw new InputOutputError("file.not_file", path, `${quote(path)} is not a file`, {
      hint: "Pass a report file; `candor site` takes a folder.",
    });
  }
  if (info.size > MAX_FILE_BYTES) {
    throw new CandorError(
      "json.too_large",
      `${quote(path)} is ${info.size} bytes, above the limit of ${MAX_FILE_BYTES}`,
      {
        hint: "A report stays far below this size; move per-item data into an outcomes file.",
        exitCode: 1,
      },
    );
  }
  const fileBytes = await readFile(path);
  const value = parseJson(fileBytes, path, "the file", MAX_FILE_BYTES);

  if (!looksLikeEnvelope(value)) {
    return { path, report: requireReportShape(value, path), document: value, bytes: fileBytes };
  }

  const envelope = parseEnvelope(value);
  const verification = verifyEnvelope(envelope, options.trustedKeys ?? []);
  let unwrapped: ReturnType<typeof unwrapPayload>;
  let report: Report;
  try {
    unwrapped = unwrapPayload(
      envelope.payloadType,
      parseJson(verification.payload, path, "the payload", DEFAULT_JSON_LIMITS.maxBytes),
    );
    report = requireReportShape(unwrapped.report, path);
  } catch (error) {
    // A payload that cannot be read after a failed verification is most
    // likely the tampering the verification found, so that reason comes first.
    if (!verification.verified && error instanceof CandorError) {
      throw new SignatureError(
        "envelope.unverified",
        `${quote(path)}: ${verification.reason}; ${error.message}`,
        {
          exitCode: 1,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        },
      );
    }
    throw error;
  }
  return {
    path,
    report,
    document: unwrapped.report,
    bytes: verification.payload,
    envelope: {
      payloadType: envelope.payloadType,
      signatures: envelope.signatures,
      verified: verification.verified,
      statement: unwrapped.statement !== undefined,
      ...(verification.signer === undefined ? {} : { signer: verification.signer }),
      ...(verification.keyid === undefined ? {} : { keyid: verification.keyid }),
      ...(verification.reason === undefined ? {} : { reason: verification.reason }),
    },
  };
}
