import { readFile } from "node:fs/promises";
import { InputOutputError, quote } from "../../errors.js";
import { parseJsonDocument } from "../../spec/json.js";
import { SignatureError } from "./errors.js";
import { keyIdOf, parseTrustedKeys, readPublicKey, type TrustedKey } from "./keys.js";

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new InputOutputError("file.unreadable", path, `cannot read ${what} ${quote(path)}`, {
      hint: "Check the path; it must be a readable file.",
      cause,
    });
  }
}

/**
 * Loads the keys a reader trusts: one public key file (its signer is named by
 * its key id) and/or a trusted-keys JSON file. Returns an empty list when
 * neither is given.
 */
export async function loadTrustedKeys(options: {
  keyPath?: string;
  keysPath?: string;
}): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  if (options.keyPath !== undefined) {
    const publicKey = readPublicKey(await readText(options.keyPath, "public key"), options.keyPath);
    const keyid = keyIdOf(publicKey);
    keys.push({ keyid, name: `key ${keyid.slice(0, 16)}`, publicKey });
  }
  if (options.keysPath !== undefined) {
    const text = await readText(options.keysPath, "trusted-keys file");
    let value: unknown;
    try {
      value = parseJsonDocument(text);
    } catch (cause) {
      throw new SignatureError("keys.invalid", `${quote(options.keysPath)} is not valid JSON`, {
        hint: "A trusted-keys file is a JSON list of {keyid, public_key, name}.",
        cause,
      });
    }
    keys.push(...parseTrustedKeys(value, options.keysPath));
  }
  return keys;
}
