import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from "node:crypto";
import { quote } from "../../errors.js";
import { SignatureError } from "./errors.js";

/** A new Ed25519 key pair as PEM text, with the key id of its public half. */
export interface GeneratedKeyPair {
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
  keyid: string;
}

/** A public key the reader trusts, with the name shown when it verifies a signature. */
export interface TrustedKey {
  keyid: string;
  name: string;
  publicKey: KeyObject;
}

/** Generates an Ed25519 key pair for signing reports. */
export function generateSigningKey(): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    keyid: keyIdOf(publicKey),
  };
}

/** Computes a key id: sha256 of the public key's SPKI DER encoding, in lowercase hex. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex");
}

/** Parses an Ed25519 private key from PEM text; `source` names the file in errors. */
export function readPrivateKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (cause) {
    throw new SignatureError("key.invalid", `${quote(source)} is not a PEM private key`, {
      hint: "Pass the PREFIX.key file written by `candor keygen`.",
      cause,
    });
  }
  requireEd25519(key, source);
  return key;
}

/**
 * Parses an Ed25519 public key from PEM text. A private key is rejected
 * rather than silently reduced to its public half, so a secret never ends up
 * in a file meant to be shared.
 */
export function readPublicKey(pem: string, source: string): KeyObject {
  if (pem.includes("PRIVATE KEY")) {
    throw new SignatureError("key.private_given", `${quote(source)} holds a private key`, {
      hint: "Verify with the public key (PREFIX.pub from `candor keygen`), and keep the private key secret.",
    });
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (cause) {
    throw new SignatureError("key.invalid", `${quote(source)} is not a PEM public key`, {
      hint: "Pass the PREFIX.pub file written by `candor keygen`.",
      cause,
    });
  }
  requireEd25519(key, source);
  return key;
}

function requireEd25519(key: KeyObject, source: string): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new SignatureError(
      "key.unsupported",
      `${quote(source)} is a ${key.asymmetricKeyType ?? "unknown"} key, expected ed25519`,
      { hint: "Candor signs with Ed25519 only; create a key with `candor keygen`." },
    );
  }
}

/**
 * Parses a trusted-keys file: a JSON list of {keyid, public_key (SPKI PEM),
 * name}. Each stated key id must equal the id computed from its key, so a
 * file cannot attach a trusted name to someone else's key by mistake.
 */
export function parseTrustedKeys(value: unknown, source: string): TrustedKey[] {
  const invalid = (message: string) =>
    new SignatureError("keys.invalid", `${quote(source)}: ${message}`, {
      hint: 'Write a JSON list such as [{"keyid": "…", "public_key": "-----BEGIN PUBLIC KEY-----…", "name": "Example Lab"}].',
    });

  if (!Array.isArray(value)) {
    throw invalid("a trusted-keys file must be a JSON list");
  }
  if (value.length === 0) {
    throw invalid("the list of trusted keys is empty");
  }
  return value.map((entry, index) => {
    if (typeof entry !== "object" || entry === null) {
      throw invalid(`entry ${index} is not an object`);
    }
    const { keyid, public_key: publicKeyPem, name } = entry as Record<string, unknown>;
    if (typeof publicKeyPem !== "string") {
      throw invalid(`entry ${index} has no public_key PEM string`);
    }
    if (typeof name !== "string" || name.length === 0) {
      throw invalid(`entry ${index} has no name`);
    }
    const publicKey = readPublicKey(publicKeyPem, `${source} entry ${index}`);
    const computed = keyIdOf(publicKey);
    if (keyid !== undefined && keyid !== computed) {
      throw invalid(`entry ${index} states keyid ${quote(keyid)} but its key's id is ${computed}`);
    }
    return { keyid: computed, name, publicKey };
  });
}
