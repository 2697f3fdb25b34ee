import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { InputOutputError, quote } from "../../errors.js";
import { parseJsonDocument } from "../../spec/json.js";
import { SignatureError } from "./errors.js";
import { keyIdOf, parseTrustedKeys, readPublicKey, type TrustedKey } from "./keys.js";

/** Largest key or trusted-keys file read; a PEM key is a few hundred bytes. */
export const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * Reads a regular file of at most `maxBytes`. The file is opened without
 * blocking and checked before any read, so a FIFO, a device such as
 * /dev/zero or a huge file fails at once instead of hanging or filling memory.
 * `role` names the file in messages, for example "private key".
 */
export async function readRegularFile(
  path: string,
  role: string,
  maxBytes: number,
): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputOutputError(
      "file.unreadable",
      path,
      `cannot read ${role} ${quote(path)} (${code ?? "unknown error"})`,
      {
        hint: "Check the path; it must be a readable file.",
        cause,
      },
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new InputOutputError(
        "file.not_file",
        path,
        `${role} ${quote(path)} is not a regular file`,
        {
          hint: "Pass a file; pipes, devices and folders are not read.",
        },
      );
    }
    if (info.size > maxBytes) {
      throw new InputOutputError(
        "file.too_large",
        path,
        `${role} ${quote(path)} is ${info.size} bytes, above the limit of ${maxBytes}`,
        { hint: "Check that the path names the right file." },
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function readText(path: string, role: string): Promise<string> {
  return (await readRegularFile(path, role, MAX_KEY_FILE_BYTES)).toString("utf8");
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
      const detail = cause instanceof Error ? `: ${cause.message}` : "";
      throw new SignatureError(
        "keys.invalid",
        `${quote(options.keysPath)} is not valid JSON${detail}`,
        {
          hint: "A trusted-keys file is a JSON list of {keyid, public_key, name}.",
          cause,
        },
      );
    }
    keys.push(...parseTrustedKeys(value, options.keysPath));
  }
  return keys;
}
