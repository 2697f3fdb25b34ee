import type { Model } from "../../spec/generated/report.js";
import { IN_TOTO_PAYLOAD_TYPE, REPORT_PAYLOAD_TYPE } from "./dsse.js";
import { SignatureError } from "./errors.js";
import {
  CANDOR_PREDICATE_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  type StatementSubject,
  statementSubject,
} from "./statement.js";

/** The report inside an envelope's payload, and the statement around it if there is one. */
export interface UnwrappedPayload {
  /** The parsed report, not yet validated. */
  report: unknown;
  statement?: { subject: unknown; predicateType: string };
}

function payloadError(message: string): SignatureError {
  return new SignatureError("envelope.payload", message, {
    hint: "The envelope does not carry a Candor report; check that it is the file the publisher released.",
    exitCode: 1,
  });
}

/**
 * Extracts the report from a parsed payload. A report payload is the report
 * itself. An in-toto payload must be a Statement v1 with the Candor predicate
 * type, and its subject must name the model the predicate describes, so a
 * statement cannot attach a report to a different model.
 */
export function unwrapPayload(payloadType: string, value: unknown): UnwrappedPayload {
  if (payloadType === REPORT_PAYLOAD_TYPE) {
    return { report: value };
  }
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw payloadError(
      `payload type ${JSON.stringify(payloadType)} is not a Candor report or an in-toto Statement`,
    );
  }

  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw payloadError("the in-toto payload is not a JSON object");
  }
  const statement = value as Record<string, unknown>;
  if (statement._type !== IN_TOTO_STATEMENT_TYPE) {
    throw payloadError(
      `the payload's _type is ${JSON.stringify(statement._type)}, expected ${IN_TOTO_STATEMENT_TYPE}`,
    );
  }
  if (statement.predicateType !== CANDOR_PREDICATE_TYPE) {
    throw payloadError(
      `the statement's predicateType is ${JSON.stringify(statement.predicateType)}, expected ${CANDOR_PREDICATE_TYPE}`,
    );
  }
  const predicate = statement.predicate as { model?: Model } | undefined;
  if (typeof predicate !== "object" || predicate === null || typeof predicate.model !== "object") {
    throw payloadError("the statement's predicate is not a report with a model");
  }

  let expected: StatementSubject;
  try {
    expected = statementSubject(predicate.model);
  } catch {
    throw payloadError(
      "the statement's report has no weights_digest or endpoint to check the subject against",
    );
  }
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const matches = subjects.some((subject: unknown) => {
    const entry = subject as { name?: unknown; digest?: { sha256?: unknown } } | null;
    return entry?.name === expected.name && entry?.digest?.sha256 === expected.digest.sha256;
  });
  if (!matches) {
    throw payloadError(
      `the statement's subject does not name the report's model ${JSON.stringify(expected.name)}`,
    );
  }
  return {
    report: predicate,
    statement: { subject: statement.subject, predicateType: CANDOR_PREDICATE_TYPE },
  };
}
