import { SignatureError } from "./errors.js";

/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse, protocol v1):
 * the signature covers the payload type and the payload's exact bytes through
 * the pre-authentication encoding, so no JSON canonicalisation is needed.
 */

/** Payload type of an envelope whose payload is a bare Candor report. */
export const REPORT_PAYLOAD_TYPE = "application/vnd.candor.report+json";

/** Payload type of an envelope whose payload is an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

export interface DsseSignature {
  /** Hint naming the key: sha256 of the public key's SPKI DER, in lowercase hex. */
  keyid: string;
  /** Base64 of the Ed25519 signature over the pre-authentication encoding. */
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload's exact bytes. */
  payload: string;
  signatures: DsseSignature[];
}

/**
 * Builds the DSSE pre-authentication encoding:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, where LEN is the byte
 * length as ASCII decimal without leading zeros.
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, "utf8");
  const header = Buffer.from(`DSSEv1 ${type.length} `, "utf8");
  const middle = Buffer.from(` ${payload.length} `, "utf8");
  return Buffer.concat([header, type, middle, payload]);
}

/** Encodes bytes as standard base64 with padding, the form this toolkit writes. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

// DSSE accepts standard or URL-safe base64, with or without padding. Node's
// decoder silently skips characters outside the alphabet, so the text is
// checked first and a damaged payload is reported instead of half-decoded.
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9_-]*)={0,2}$/;

/** Decodes DSSE base64, rejecting anything that is not exactly base64. */
export function decodeBase64(text: string, field: string): Buffer {
  const unpadded = text.replace(/=+$/, "");
  const paddedCorrectly = text.length === unpadded.length || text.length % 4 === 0;
  if (!BASE64.test(text) || unpadded.length % 4 === 1 || !paddedCorrectly) {
    throw new SignatureError("envelope.bad_base64", `${field} is not valid base64`, {
      hint: "The envelope was damaged or edited; ask the publisher for the original file.",
      exitCode: 1,
    });
  }
  const standard = unpadded.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Buffer.from(standard, "base64");

  // Unused low bits in the last character are ignored by the decoder, so two
  // texts can decode to the same bytes; only the canonical one is accepted.
  if (bytes.toString("base64").replace(/=+$/, "") !== standard) {
    throw new SignatureError("envelope.bad_base64", `${field} is not canonical base64`, {
      hint: "The envelope was damaged or edited; ask the publisher for the original file.",
      exitCode: 1,
    });
  }
  return bytes;
}

/**
 * True when a parsed JSON value has the shape of a DSSE envelope rather than
 * a report: the three envelope fields and no report fields.
 */
export function looksLikeEnvelope(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  const envelopeKeys = ["payloadType", "payload", "signatures"].filter((key) => keys.includes(key));
  return envelopeKeys.length >= 2 && !keys.includes("candor_version") && !keys.includes("results");
}

function envelopeError(message: string): SignatureError {
  return new SignatureError("envelope.invalid", message, {
    hint: "A DSSE envelope is a JSON object with payloadType, payload (base64) and signatures [{keyid, sig}].",
    exitCode: 1,
  });
}

/**
 * Checks that a parsed JSON value is a complete DSSE envelope and returns it
 * typed. Throws SignatureError (exit 1) naming the missing or malformed field.
 */
export function parseEnvelope(value: unknown): DsseEnvelope {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw envelopeError("the envelope is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  if (typeof record.payloadType !== "string" || record.payloadType.length === 0) {
    throw envelopeError("the envelope has no payloadType string");
  }
  if (typeof record.payload !== "string") {
    throw envelopeError("the envelope has no payload string");
  }
  decodeBase64(record.payload, "payload");
  if (!Array.isArray(record.signatures)) {
    throw envelopeError("the envelope has no signatures list");
  }
  if (record.signatures.length === 0) {
    throw envelopeError("the envelope's signatures list is empty, so nothing is signed");
  }

  const signatures: DsseSignature[] = [];
  for (const [index, entry] of record.signatures.entries()) {
    if (typeof entry !== "object" || entry === null) {
      throw envelopeError(`signatures[${index}] is not an object`);
    }
    const { keyid, sig } = entry as Record<string, unknown>;
    if (typeof sig !== "string" || sig.length === 0) {
      throw envelopeError(`signatures[${index}] has no sig string`);
    }
    if (keyid !== undefined && typeof keyid !== "string") {
      throw envelopeError(`signatures[${index}].keyid is not a string`);
    }
    decodeBase64(sig, `signatures[${index}].sig`);
    signatures.push({ keyid: keyid ?? "", sig });
  }
  return { payloadType: record.payloadType, payload: record.payload, signatures };
}
