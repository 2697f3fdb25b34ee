import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Folder of real model outputs and published figures that some tests read in
 * place: XSTest completions with human labels, HaluEval answers with human
 * labels, and figures transcribed from system cards. It sits beside the
 * repository and is never copied into it. CANDOR_SHARED_DATA overrides it.
 */
export const SHARED_DATA_DIR = resolve(
  process.env.CANDOR_SHARED_DATA ?? join(import.meta.dirname, "..", "..", "..", "shared", "data"),
);

export const hasSharedData = existsSync(SHARED_DATA_DIR);

/** Message for `describe.skipIf(!hasSharedData)` so a skipped run says why. */
export const SHARED_DATA_MISSING = `real-output data not found at ${SHARED_DATA_DIR}; set CANDOR_SHARED_DATA to its folder`;

export function sharedDataPath(...parts: string[]): string {
  return join(SHARED_DATA_DIR, ...parts);
}
