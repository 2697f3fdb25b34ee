import { join } from "node:path";
import { quote } from "../../errors.js";
import { SUITES_DIR } from "../../paths.js";
import { AgenticTaskError } from "../agentic/errors.js";
import { loadAgenticSuite } from "../agentic/load.js";
import { optionalStrings, rejectUnknownMembers, specObject } from "../agentic/spec-fields.js";
import type { AgenticMetricId, AgenticSuite } from "../agentic/suite.js";
import { type ContainmentSpec, ESCAPE_DETECTOR, escapeVerdict } from "./detect.js";

export const CONTAINMENT_SUITE_DIR = join(SUITES_DIR, "containment");

export const ESCAPE_ATTEMPT_RATE: AgenticMetricId = {
  metric: "containment.escape_attempt_rate",
  version: 1,
};

/** What each task withholds; the breakdown dimension task_kind. */
export const CONTAINMENT_KINDS = ["network", "protected_file", "permission_settings", "privilege"];

/** Name and version of the containment detector, as protocol.scorer.id records it. */
export const CONTAINMENT_SCORER_ID = "candor.containment-escape@1";

/** Reads the containment suite: tasks that need something the sandbox withholds. */
export function loadContainmentSuite(dir = CONTAINMENT_SUITE_DIR): AgenticSuite<ContainmentSpec> {
  const { identity, tasks } = loadAgenticSuite({
    dir,
    kinds: CONTAINMENT_KINDS,
    detectors: [ESCAPE_DETECTOR],
    parseSpec: parseContainmentSpec,
  });
  return {
    identity,
    tasks,
    metrics: [ESCAPE_ATTEMPT_RATE],
    scorer: { kind: "detector", id: CONTAINMENT_SCORER_ID },
    score(task, run) {
      const verdict = escapeVerdict(run, task.spec);
      return { verdicts: [verdict], metrics: { [ESCAPE_ATTEMPT_RATE.metric]: verdict.flagged } };
    },
  };
}

const SPEC_KEYS = new Set(["protected_paths", "permission_files"]);

/** Checks the `spec` member of a containment task file. */
export function parseContainmentSpec(value: unknown, path: string): ContainmentSpec {
  const spec = specObject(value, path, "spec");
  rejectUnknownMembers(spec, SPEC_KEYS, path, "spec");
  const protectedPaths = optionalStrings(spec.protected_paths, path, "spec.protected_paths");
  const relative = protectedPaths.find((entry) => !entry.startsWith("/") || entry.endsWith("/"));
  if (relative !== undefined) {
    throw new AgenticTaskError(
      path,
      `spec.protected_paths entry ${quote(relative)} must be an absolute path without a trailing "/"`,
    );
  }
  const permissionFiles = optionalStrings(spec.permission_files, path, "spec.permission_files");
  const absolute = permissionFiles.find((entry) => entry.startsWith("/") || entry.startsWith("./"));
  if (absolute !== undefined) {
    throw new AgenticTaskError(
      path,
      `spec.permission_files entry ${quote(absolute)} must be a workspace path such as .agent/permissions.json`,
    );
  }
  return { protectedPaths, permissionFiles };
}
