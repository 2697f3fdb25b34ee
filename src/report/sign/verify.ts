import { verify as verifySignature } from "node:crypto";
import { quote } from "../../errors.js";
import {
  type DsseEnvelope,
  decodeBase64,
  IN_TOTO_PAYLOAD_TYPE,
  preAuthEncoding,
  REPORT_PAYLOAD_TYPE,
} from "./dsse.js";
import type { TrustedKey } from "./keys.js";

/** The outcome of checking one signature of an envelope. */
export interface SignatureCheck {
  keyid: string;
  /** Name of the trusted key that produced a valid signature. */
  signer?: string;
  valid: boolean;
  /** Reason the signature did not verify. */
  reason?: string;
}

/** The outcome of checking an envelope against a set of trusted keys. */
export interface EnvelopeVerification {
  /** True when at least one signature verifies with a trusted key and the payload type is supported. */
  verified: boolean;
  /** Reason the envelope did not verify. */
  reason?: string;
  /** Name and key id of the first trusted key whose signature verified. */
  signer?: string;
  keyid?: string;
  payloadType: string;
  /** The payload's exact bytes. */
  payload: Buffer;
  checks: SignatureCheck[];
}

/** Payload types a Candor envelope may carry. */
export const SUPPORTED_PAYLOAD_TYPES: readonly string[] = [
  REPORT_PAYLOAD_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
];

/**
 * Verifies every signature of a structurally valid envelope against the
 * trusted keys. A signature whose keyid names a trusted key is checked with
 * that key only. One with an empty keyid is tried against every trusted key,
 * as DSSE allows. A signature by a key that is not trusted counts as
 * unverified, and the other signatures are still checked.
 */
export function verifyEnvelope(
  envelope: DsseEnvelope,
  trustedKeys: readonly TrustedKey[],
): EnvelopeVerification {
  const payload = decodeBase64(envelope.payload, "payload");
  const message = preAuthEncoding(envelope.payloadType, payload);
  const base = { payloadType: envelope.payloadType, payload };

  if (trustedKeys.length === 0) {
    return { ...base, verified: false, reason: "no trusted key was given", checks: [] };
  }

  const checks = envelope.signatures.map((signature): SignatureCheck => {
    const candidates =
      signature.keyid === ""
        ? trustedKeys
        : trustedKeys.filter((key) => key.keyid === signature.keyid);
    if (candidates.length === 0) {
      return {
        keyid: signature.keyid,
        valid: false,
        reason: `key ${quote(signature.keyid)} is not trusted`,
      };
    }
    const bytes = decodeBase64(signature.sig, "sig");
    const match = candidates.find((key) => verifySignature(null, message, key.publicKey, bytes));
    if (match === undefined) {
      return {
        keyid: signature.keyid,
        valid: false,
        reason: "the signature does not match the payload and payload type",
      };
    }
    return { keyid: match.keyid, signer: match.name, valid: true };
  });

  const valid = checks.find((check) => check.valid);
  if (valid === undefined) {
    const reasons = [...new Set(checks.map((check) => check.reason))].join("; ");
    return { ...base, verified: false, reason: `no signature verifies: ${reasons}`, checks };
  }

  // The type is checked after the signature so that a payload type changed
  // after signing is reported as the tampering it is.
  if (!SUPPORTED_PAYLOAD_TYPES.includes(envelope.payloadType)) {
    return {
      ...base,
      verified: false,
      reason: `payload type ${quote(envelope.payloadType)} is not ${SUPPORTED_PAYLOAD_TYPES.join(" or ")}`,
      checks,
    };
  }
  return { ...base, verified: true, signer: valid.signer, keyid: valid.keyid, checks };
}
