import type { Direction as Better } from "../../spec/generated/registry.js";
import type { ModelAccess, PublisherRelationship } from "../../spec/generated/report.js";
import type { SignatureStatus } from "../compare/types.js";

export function relationshipLabel(relationship: PublisherRelationship): string {
  switch (relationship) {
    case "first_party":
      return "first party: the model's developer measured it";
    case "third_party":
      return "third party: someone other than the developer measured it";
    case "documentation":
      return "transcribed from documentation: values copied from published documents, not measured by the publisher";
  }
}

export function accessLabel(access: ModelAccess): string {
  switch (access) {
    case "open_weights":
      return "open weights";
    case "api":
      return "hosted API";
    case "internal":
      return "internal checkpoint";
  }
}

export function betterLabel(better: Better | undefined): string {
  switch (better) {
    case "lower":
      return "lower is better";
    case "higher":
      return "higher is better";
    case "neither":
      return "context: neither direction is better";
    default:
      return "direction unknown";
  }
}

/** Formats the signature status and the signer's name in one line, for pages and tables. */
export function signatureLabel(signature: SignatureStatus): string {
  switch (signature.state) {
    case "unsigned":
      return "unsigned";
    case "verified":
      return `signature verified: ${signature.signer ?? "trusted key"}${signature.keyid === undefined ? "" : ` (key ${signature.keyid.slice(0, 12)}…)`}`;
    case "unverified":
      return `signature NOT verified: ${signature.reason ?? "unknown reason"}`;
  }
}

export function signatureBadgeClass(signature: SignatureStatus): string {
  switch (signature.state) {
    case "verified":
      return "badge-ok";
    case "unverified":
      return "badge-bad";
    case "unsigned":
      return "badge-neutral";
  }
}
