import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { CandorError, InputOutputError, quote } from "../../errors.js";
import { type OpenedReport, openReport } from "../open.js";
import type { TrustedKey } from "../sign/keys.js";

/** A file in the folder that could not be read as a report, with the reason. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface CollectedReports {
  reports: OpenedReport[];
  skipped: SkippedFile[];
}

/** Folders below the site folder that are searched for reports; deeper ones are ignored. */
const MAX_DEPTH = 4;

async function listJsonFiles(folder: string, depth: number): Promise<string[]> {
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (cause) {
    throw new InputOutputError(
      "folder.unreadable",
      folder,
      `cannot read the folder ${quote(folder)}`,
      {
        hint: "Pass a folder that holds report files (*.json).",
        cause,
      },
    );
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") {
      continue;
    }
    const path = join(folder, entry.name);
    if (entry.isDirectory() && depth < MAX_DEPTH) {
      files.push(...(await listJsonFiles(path, depth + 1)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith(".json")) {
      // A link is opened like a file, so one to a report is shown and a
      // broken one, a loop or one to a device is listed as skipped, not lost.
      files.push(path);
    }
  }
  return files;
}

function identity(opened: OpenedReport): string {
  return JSON.stringify([opened.report.publisher.name, opened.report.report_id]);
}

/**
 * Opens every *.json file under a folder as a report or an envelope. Files
 * that are not reports are returned as skipped with the reason. When a bare
 * report and an envelope carry the same report (same publisher and report
 * id), the envelope is kept, so the site shows the signature. Any other file
 * with the identity of one already read is returned as skipped.
 */
export async function collectReports(
  folder: string,
  trustedKeys: readonly TrustedKey[],
): Promise<CollectedReports> {
  const files = await listJsonFiles(folder, 0);
  const byIdentity = new Map<string, OpenedReport>();
  const skipped: SkippedFile[] = [];

  for (const file of files) {
    let opened: OpenedReport;
    try {
      opened = await openReport(file, { trustedKeys });
    } catch (error) {
      if (error instanceof CandorError) {
        skipped.push({ path: relative(folder, file), reason: error.message });
        continue;
      }
      throw error;
    }
    const key = identity(opened);
    const previous = byIdentity.get(key);
    if (previous === undefined) {
      byIdentity.set(key, opened);
      continue;
    }
    const pairedWithEnvelope =
      (previous.envelope === undefined) !== (opened.envelope === undefined);
    if (pairedWithEnvelope && opened.envelope !== undefined) {
      byIdentity.set(key, opened);
    } else if (!pairedWithEnvelope) {
      // Two bare reports or two envelopes claim to be one report, and only
      // one can have a page.
      skipped.push({
        path: relative(folder, file),
        reason: `it has the publisher and report_id of ${quote(relative(folder, previous.path))}, which is shown instead; give each report its own report_id`,
      });
    }
  }
  return { reports: [...byIdentity.values()], skipped };
}
