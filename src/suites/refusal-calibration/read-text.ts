import { readFileSync, statSync } from "node:fs";
import { quote } from "../../errors.js";
import { SuiteInputError } from "./errors.js";

/**
 * Largest input file read, in bytes. Files are read whole into one string,
 * and V8 strings hold at most 2^29 - 24 UTF-16 code units (about 512 Mi), so
 * 256 MiB of UTF-8 always fits with room for the copy the parser makes.
 */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a UTF-8 text file, rejecting a missing path, a folder, a file over
 * `maxBytes` and bytes that are not valid UTF-8. A leading byte-order mark is
 * dropped. `what` names the file's role in messages ("responses file").
 */
export function readTextFile(path: string, what: string, maxBytes = MAX_INPUT_BYTES): string {
  return readTextAndBytes(path, what, maxBytes).text;
}

/** Like `readTextFile`, and also returns the file's raw bytes, for a digest of exactly what was read. */
export function readTextAndBytes(
  path: string,
  what: string,
  maxBytes = MAX_INPUT_BYTES,
): { text: string; bytes: Uint8Array } {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) {
      throw new SuiteInputError(
        "input_not_file",
        path,
        `the ${what} ${quote(path)} is not a file`,
        {
          hint: "Give the path of a regular file; folders, pipes and devices are not read.",
        },
      );
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof SuiteInputError) {
      throw error;
    }
    throw new SuiteInputError(
      "input_not_found",
      path,
      `cannot read the ${what} ${quote(path)}: no such file`,
      {
        hint: "Check the path; relative paths are read from the current folder.",
        cause: error,
      },
    );
  }

  if (size > maxBytes) {
    throw new SuiteInputError(
      "input_too_large",
      path,
      `the ${what} ${quote(path)} is ${formatBytes(size)}, over the limit of ${formatBytes(maxBytes)}`,
      {
        hint: "Split it into smaller files and score each one, or remove columns the command does not read.",
      },
    );
  }

  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const offset = firstInvalidUtf8Offset(bytes);
    throw new SuiteInputError(
      "input_not_utf8",
      path,
      `the ${what} ${quote(path)} is not valid UTF-8${offset >= 0 ? ` (first bad byte at offset ${offset})` : ""}`,
      {
        hint: "Convert it to UTF-8, for example with: iconv -f LATIN1 -t UTF-8 FILE > FILE.utf8",
        cause: error,
      },
    );
  }
  return { text: text.startsWith("\uFEFF") ? text.slice(1) : text, bytes };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) {
    return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  }
  if (bytes >= 1024 * 1024) {
    return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  }
  return `${bytes} bytes`;
}

/**
 * Byte offset of the first byte that starts no well-formed UTF-8 sequence,
 * for the error message. It checks lead and continuation bytes only. The
 * fatal decoder above decides validity, so -1 ("not located") is possible
 * for overlong forms and encoded surrogates.
 */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const continuation =
      lead < 0x80
        ? 0
        : lead >= 0xc2 && lead <= 0xdf
          ? 1
          : lead >= 0xe0 && lead <= 0xef
            ? 2
            : lead >= 0xf0 && lead <= 0xf4
              ? 3
              : -1;
    if (continuation < 0) {
      return index;
    }
    for (let k = 1; k <= continuation; k++) {
      const byte = bytes[index + k];
      if (byte === undefined || (byte & 0xc0) !== 0x80) {
        return index;
      }
    }
    index += continuation + 1;
  }
  return -1;
}
