import { join } from "node:path";
import type { RunEvent } from "../../engine/index.js";
import {
  reportPartFromRun,
  type WrittenPartsReport,
  writePartsReport,
} from "../../judges/report.js";
import {
  type JudgedReportRunOptions,
  type JudgedSuiteRun,
  runJudgedSuite,
} from "../../judges/run-judged.js";
import type { Provider } from "../../providers/types.js";
import { limitPromptsPerClause, loadPolicySuite } from "./policy.js";
import { createPolicySuite, type PolicyOutcome, type PolicySuite, policyJudge } from "./suite.js";

/**
 * Builds the suite over the shipped example policy, or over the policy file
 * at `policyPath`. With `limit` each clause keeps only its first `limit`
 * prompts, so every clause still counts in the macro average.
 */
export function createPolicyAdherenceSuite(
  judge: Provider,
  options: { policyPath?: string; limit?: number } = {},
): PolicySuite {
  return createPolicySuite(
    limitPromptsPerClause(loadPolicySuite(options.policyPath), options.limit),
    policyJudge(judge),
  );
}

/** Default name of the per-item outcomes file, named after the suite so reports of several suites can share a folder. */
export const POLICY_OUTCOMES_FILE = "samples-policy-adherence.jsonl";

export interface RunPolicyOptions extends JudgedReportRunOptions {
  suite: PolicySuite;
  /** Folder of report.json and the outcomes file; run stores go in OUT/runs/policy-adherence. */
  outDir: string;
  outcomesFile?: string;
  onEvent?: (pass: "model" | "judge", event: RunEvent) => void;
}

export interface PolicyRun extends Partial<WrittenPartsReport> {
  run: JudgedSuiteRun<PolicyOutcome>;
  /** True when the signal stopped a pass; no report is written then. */
  aborted: boolean;
}

/**
 * Runs the policy's test prompts against the model under test, judges each
 * response against its clause, and writes report.json and the outcomes
 * file. With `resume`, both passes continue the run stored in `outDir`.
 */
export async function runPolicyAdherence(options: RunPolicyOptions): Promise<PolicyRun> {
  const run = await runJudgedSuite(options.suite, {
    model: options.model,
    generation: options.generation,
    dir: join(options.outDir, "runs", "policy-adherence"),
    modelRun: options.modelRun,
    judgeRun: options.judgeRun,
    resume: options.resume,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (run.aborted) {
    return { run, aborted: true };
  }
  const written = writePartsReport({
    outDir: options.outDir,
    parts: [reportPartFromRun(options.suite, run, options.outcomesFile ?? POLICY_OUTCOMES_FILE)],
    publisher: options.identity.publisher,
    model: options.identity.model,
    claimedTier: options.identity.claimedTier,
    run: { ...run.run, errors: run.modelErrors },
    ...(options.registry === undefined ? {} : { registry: options.registry }),
  });
  return { run, aborted: false, ...written };
}
