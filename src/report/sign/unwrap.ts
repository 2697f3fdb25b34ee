import { CandorError } from "../../errors.js";
import { parseJsonDocument } from "../../spec/json.js";
import type { Problem } from "../../spec/problem.js";
import type { UnwrappedEnvelope } from "../../spec/validate.js";
import { IN_TOTO_PAYLOAD_TYPE, looksLikeEnvelope, parseEnvelope } from "./dsse.js";
import type { TrustedKey } from "./keys.js";
import { unwrapPayload } from "./payload.js";
import { SUPPORTED_PAYLOAD_TYPES, verifyEnvelope } from "./verify.js";

/**
 * Builds the envelope hook of `validateReportFile`: a DSSE envelope is
 * verified against the trusted keys and its report handed to the validator
 * with the signature status, so assurance reflects the signature. A malformed
 * envelope becomes one problem of an invalid document.
 */
export function envelopeUnwrapper(
  trustedKeys: readonly TrustedKey[],
): (value: unknown) => Promise<UnwrappedEnvelope | Problem | undefined> {
  return async (value) => {
    if (!looksLikeEnvelope(value)) {
      return undefined;
    }
    try {
      const envelope = parseEnvelope(value);
      const verification = verifyEnvelope(envelope, trustedKeys);
      // With no key given the report is checked and shown as unsigned; with
      // keys given, a signature that fails is the finding that matters.
      if (trustedKeys.length > 0 && !verification.verified) {
        return {
          code: "envelope.unverified",
          severity: "error",
          pointer: "/signatures",
          message: `the envelope's signature does not verify: ${verification.reason ?? "no trusted key matched"}`,
          hint: "The report was changed after signing or was signed with another key; get the envelope and key from the publisher again.",
        };
      }
      let payload: Uint8Array = verification.payload;
      // An in-toto Statement wraps the report as its predicate; the report
      // alone is what the validator checks.
      if (envelope.payloadType === IN_TOTO_PAYLOAD_TYPE) {
        const unwrapped = unwrapPayload(envelope.payloadType, parseJsonDocument(payload));
        payload = Buffer.from(JSON.stringify(unwrapped.report));
      } else if (!SUPPORTED_PAYLOAD_TYPES.includes(envelope.payloadType)) {
        throw new CandorError(
          "envelope.payload",
          `payload type ${JSON.stringify(envelope.payloadType)} is not a Candor report or an in-toto Statement`,
        );
      }
      const signature: UnwrappedEnvelope["signature"] = {
        verified: verification.verified,
        payloadType: envelope.payloadType,
      };
      if (verification.signer !== undefined) {
        signature.signer = verification.signer;
      }
      if (verification.reason !== undefined) {
        signature.reason = verification.reason;
      }
      return { payload, signature };
    } catch (error) {
      if (error instanceof CandorError) {
        return {
          code: "envelope.invalid",
          severity: "error",
          pointer: "",
          message: `the file is a signed envelope that cannot be opened: ${error.message}`,
          hint: "Use the envelope exactly as `candor sign` wrote it; `candor verify` says what is wrong.",
        };
      }
      throw error;
    }
  };
}
