import { createHash } from "node:crypto";
import type { Model, Report } from "../../spec/generated/report.js";
import { STANDARD_VERSION } from "../../version.js";
import { SignatureError } from "./errors.js";

/** Statement layer of in-toto attestation framework v1. */
export const IN_TOTO_STATEMENT_TYPE = "https://in-toto.io/Statement/v1";

/**
 * Predicate type of a Candor report inside an in-toto Statement. Like every
 * in-toto type URI it carries only the major version of the standard, because
 * minor versions only add optional fields that readers ignore.
 */
export const CANDOR_PREDICATE_TYPE = `https://candor.dev/report/v${STANDARD_VERSION.split(".")[0]}`;

export interface StatementSubject {
  name: string;
  digest: { sha256: string };
}

export interface InTotoStatement {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: StatementSubject[];
  predicateType: string;
  predicate: Report;
}

/**
 * Derives the in-toto subject naming the model a report is about.
 *
 * The name is the model name, followed by "@" and the version when the
 * report gives one. The digest is the hex of the model's sha256 weights digest
 * when the report has one. A model reached through an API has no weights
 * digest, so its digest is the sha256 of the UTF-8 bytes of the report's
 * endpoint string. A model with neither cannot be named by digest, so it has
 * no subject and the report can only be signed as a bare report.
 */
export function statementSubject(model: Model): StatementSubject {
  const name = model.version === undefined ? model.name : `${model.name}@${model.version}`;
  if (model.weights_digest !== undefined) {
    return { name, digest: { sha256: model.weights_digest.replace(/^sha256:/, "") } };
  }
  if (model.endpoint !== undefined) {
    const hex = createHash("sha256").update(model.endpoint, "utf8").digest("hex");
    return { name, digest: { sha256: hex } };
  }
  throw new SignatureError(
    "statement.no_subject_digest",
    `model ${JSON.stringify(name)} has neither weights_digest nor endpoint, so an in-toto subject cannot name it by digest`,
    {
      hint: "Sign without --statement, or add the model's weights_digest or endpoint to the report.",
    },
  );
}

/** Wraps a report in an in-toto Statement v1 whose subject is the report's model. */
export function buildStatement(report: Report): InTotoStatement {
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [statementSubject(report.model)],
    predicateType: CANDOR_PREDICATE_TYPE,
    predicate: report,
  };
}
