import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { quote } from "../../errors.js";
import type { Result } from "../generated/report.js";
import { formatPointer } from "../pointer.js";
import type { CheckContext } from "./context.js";

/**
 * Checks each reported result's outcomes file beside the report: the path
 * stays inside the report's folder (symbolic links included), the file exists,
 * and its SHA-256 digest and line count match what the report states.
 * Returns the indexes of results whose outcomes failed.
 */
export async function checkOutcomeFiles(
  context: CheckContext,
  reportDir: string,
): Promise<Set<number>> {
  const broken = new Set<number>();
  const results = context.report.results;
  if (!Array.isArray(results)) {
    return broken;
  }
  const root = await realpath(reportDir);

  for (const [index, result] of results.entries()) {
    const pointer = formatPointer(["results", index, "outcomes"]);
    if (
      !context.isClean(pointer) ||
      result.status !== "reported" ||
      result.outcomes === undefined
    ) {
      continue;
    }
    if (!(await checkOutcomeFile(context, result, root, pointer))) {
      broken.add(index);
    }
  }
  return broken;
}

async function checkOutcomeFile(
  context: CheckContext,
  result: Result,
  root: string,
  pointer: string,
): Promise<boolean> {
  const outcomes = result.outcomes;
  if (outcomes === undefined) {
    return true;
  }

  const target = resolve(root, outcomes.path);
  if (!isInside(root, target)) {
    context.add(
      "outcomes.path_outside",
      `${pointer}/path`,
      `outcomes path ${quote(outcomes.path)} leads outside the report's folder`,
      "put the outcomes file in the report's folder or below it and give a relative path without ..",
      outcomes.path,
    );
    return false;
  }

  let real: string;
  let regular: boolean;
  try {
    real = await realpath(target);
    regular = (await stat(real)).isFile();
  } catch {
    context.add(
      "outcomes.file_missing",
      `${pointer}/path`,
      `outcomes file ${quote(outcomes.path)} does not exist beside the report`,
      "publish the outcomes file next to the report, or remove outcomes from the result",
      outcomes.path,
    );
    return false;
  }
  if (!regular) {
    // A FIFO would block the digest and a device such as /dev/zero never ends.
    context.add(
      "outcomes.file_missing",
      `${pointer}/path`,
      `outcomes path ${quote(outcomes.path)} is not a regular file`,
      "publish the outcomes as a regular JSON Lines file; pipes, devices and folders are not read",
      outcomes.path,
    );
    return false;
  }
  if (!isInside(root, real)) {
    context.add(
      "outcomes.path_outside",
      `${pointer}/path`,
      `outcomes path ${quote(outcomes.path)} is a link to a file outside the report's folder`,
      "copy the outcomes file into the report's folder instead of linking to it",
      outcomes.path,
    );
    return false;
  }

  const { digest, lines } = await digestAndCountLines(real);
  let ok = true;
  if (digest !== outcomes.digest) {
    context.add(
      "outcomes.digest_mismatch",
      `${pointer}/digest`,
      `outcomes file ${quote(outcomes.path)} has digest ${digest}, not the one stated`,
      "recompute the digest over the file's exact bytes (sha256:<hex>), or restore the file that was published",
      outcomes.digest,
    );
    ok = false;
  }
  if (lines !== outcomes.count) {
    context.add(
      "outcomes.count_mismatch",
      `${pointer}/count`,
      `outcomes file ${quote(outcomes.path)} has ${lines} lines, but count is ${outcomes.count}`,
      "set count to the number of lines in the file, one per item outcome",
      outcomes.count,
    );
    ok = false;
  }
  return ok;
}

function isInside(root: string, target: string): boolean {
  const path = relative(root, target);
  return path !== "" && !isAbsolute(path) && path !== ".." && !path.startsWith(`..${sep}`);
}

/**
 * Streams a file once for its SHA-256 digest and line count. A final line
 * without a trailing newline counts as a line.
 */
async function digestAndCountLines(path: string): Promise<{ digest: string; lines: number }> {
  const hash = createHash("sha256");
  let lines = 0;
  let lastByte = 0x0a;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    for (let index = bytes.indexOf(0x0a); index !== -1; index = bytes.indexOf(0x0a, index + 1)) {
      lines++;
    }
    if (bytes.length > 0) {
      lastByte = bytes[bytes.length - 1] ?? lastByte;
    }
  }
  if (lastByte !== 0x0a) {
    lines++;
  }
  return { digest: `sha256:${hash.digest("hex")}`, lines };
}
