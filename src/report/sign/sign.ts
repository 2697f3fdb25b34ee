import { type KeyObject, sign as signBytes } from "node:crypto";
import type { Report } from "../../spec/generated/report.js";
import {
  type DsseEnvelope,
  encodeBase64,
  IN_TOTO_PAYLOAD_TYPE,
  preAuthEncoding,
  REPORT_PAYLOAD_TYPE,
} from "./dsse.js";
import { keyIdOf } from "./keys.js";
import { buildStatement } from "./statement.js";

/** Signs a payload's exact bytes as a DSSE envelope with one Ed25519 signature. */
export function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  privateKey: KeyObject,
): DsseEnvelope {
  // Ed25519 hashes internally, so node:crypto takes no digest name (null).
  const signature = signBytes(null, preAuthEncoding(payloadType, payload), privateKey);
  return {
    payloadType,
    payload: encodeBase64(payload),
    signatures: [{ keyid: keyIdOf(privateKey), sig: encodeBase64(signature) }],
  };
}

/**
 * Signs a report. Without `statement` the payload is the report file's exact
 * bytes. With it, the payload is an in-toto Statement whose predicate is the
 * parsed report, serialised once here, and the signature covers those bytes.
 */
export function signReport(
  reportBytes: Uint8Array,
  report: Report,
  privateKey: KeyObject,
  options: { statement?: boolean } = {},
): DsseEnvelope {
  if (options.statement !== true) {
    return signEnvelope(REPORT_PAYLOAD_TYPE, reportBytes, privateKey);
  }
  const statement = Buffer.from(`${JSON.stringify(buildStatement(report), null, 2)}\n`, "utf8");
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, privateKey);
}

/** Serialises an envelope as indented JSON with a final newline. */
export function serializeEnvelope(envelope: DsseEnvelope): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}
