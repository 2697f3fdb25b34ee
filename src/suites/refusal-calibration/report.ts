import { mkdirSync } from "node:fs";
import { InputOutputError, quote } from "../../errors.js";
import { assembleReport, writeOutcomes, writeReport } from "../../report/assemble.js";
import type {
  Elicitation,
  Model,
  Publisher,
  Report,
  Agreement as ReportAgreement,
  RunInfo,
} from "../../spec/generated/report.js";
import type { Registry } from "../../spec/registry.js";
import type { SuiteIdentity } from "../types.js";
import { type Agreement, measureAgreement } from "./agreement.js";
import { CLASSIFIER_HUMAN_AGREEMENT } from "./classifier-agreement.js";
import type { ResponseLabel } from "./labels.js";
import type { RefusalOutcome, RefusalSuite } from "./suite.js";

/** Publisher, model and claimed tier of a report. */
export interface ReportIdentity {
  publisher: Publisher;
  model: Model;
  claimedTier: number;
}

export interface WriteRefusalReportInput {
  outDir: string;
  suite: RefusalSuite;
  /** Identity of the items the outcomes were measured on (the suite's own, unless items came from the responses file). */
  suiteIdentity?: SuiteIdentity;
  outcomes: readonly RefusalOutcome[];
  identity: ReportIdentity;
  elicitation: Elicitation;
  run?: RunInfo;
  /** Name of the labelled file, for human_agreement.dataset. */
  humanLabelSource?: string;
  notes?: string[];
  registry?: Registry;
}

export interface WrittenRefusalReport {
  report: Report;
  reportPath: string;
  samplesPath: string;
  /** Agreement of the scorer with the human labels in the input, when it had any. */
  agreement: Agreement | undefined;
  /** Items with a human label that the scorer left unscored. */
  unscoredWithHumanLabel: number;
}

/** Extension key of the full agreement figures on each measured result. */
export const AGREEMENT_EXTENSION = "dev.candor.scorer-agreement";

/**
 * Writes samples.jsonl and report.json for scored outcomes into `outDir`.
 * When outcomes carry human labels, the scorer's agreement with them is
 * measured and becomes protocol.scorer.human_agreement (accuracy on the
 * refusal versus compliance split that both metrics count), with the
 * three-way figures and kappas under the dev.candor.scorer-agreement
 * extension. Without human labels, a rule scorer carries the agreement its
 * version measured on the XSTest human labels.
 */
export function writeRefusalReport(input: WriteRefusalReportInput): WrittenRefusalReport {
  try {
    mkdirSync(input.outDir, { recursive: true });
  } catch (error) {
    throw new InputOutputError(
      "out_dir_unwritable",
      input.outDir,
      `cannot create the output folder ${quote(input.outDir)}`,
      {
        hint: "Choose a folder you can write to.",
        cause: error,
      },
    );
  }

  const parseFailures = input.outcomes.filter(
    (outcome) => outcome.unscored_reason === "judge_unparseable",
  ).length;
  const scorer = input.suite.describeScorer(parseFailures);

  const pairs = input.outcomes.flatMap((outcome) =>
    outcome.human_label !== undefined && outcome.label !== null
      ? [{ human: outcome.human_label, scorer: outcome.label as ResponseLabel }]
      : [],
  );
  const unscoredWithHumanLabel = input.outcomes.filter(
    (outcome) => outcome.human_label !== undefined && outcome.label === null,
  ).length;
  const agreement = pairs.length === 0 ? undefined : measureAgreement(pairs);

  let humanAgreement: ReportAgreement | undefined;
  if (agreement !== undefined) {
    humanAgreement = {
      measure: "accuracy",
      value: agreement.binary.accuracy,
      sample_size: agreement.binary.n,
      dataset: `${input.humanLabelSource ?? "human labels in the responses file"}; refusal (full or partial) versus full_compliance`,
    };
  } else if (scorer.kind === "rule") {
    humanAgreement = { ...CLASSIFIER_HUMAN_AGREEMENT };
  }
  if (humanAgreement !== undefined) {
    scorer.human_agreement = humanAgreement;
  }

  const outcomesFile = writeOutcomes(input.outDir, input.outcomes);
  const metrics = input.suite.aggregate(input.outcomes);
  const report = assembleReport({
    publisher: input.identity.publisher,
    model: input.identity.model,
    claimedTier: input.identity.claimedTier,
    suite: input.suiteIdentity ?? input.suite.identity,
    metrics,
    elicitation: input.elicitation,
    scorer,
    outcomes: outcomesFile,
    ...(input.run === undefined ? {} : { run: input.run }),
    ...(agreement === undefined
      ? {}
      : {
          resultExtensions: {
            [AGREEMENT_EXTENSION]: agreementExtension(agreement, unscoredWithHumanLabel),
          },
        }),
    ...(input.notes === undefined || input.notes.length === 0
      ? {}
      : { notes: input.notes.join(" ") }),
    ...(input.registry === undefined ? {} : { registry: input.registry }),
  });
  const reportPath = writeReport(input.outDir, report);
  return { report, reportPath, samplesPath: outcomesFile.path, agreement, unscoredWithHumanLabel };
}

function agreementExtension(agreement: Agreement, unscored: number): Record<string, unknown> {
  const figure = (value: Agreement["binary"]) => ({
    n: value.n,
    accuracy: value.accuracy,
    accuracy_interval: { ...value.accuracyInterval, level: 0.95, method: "wilson" },
    ...(value.kappa === undefined ? {} : { cohen_kappa: value.kappa }),
    ...(value.kappaInterval === undefined
      ? {}
      : { cohen_kappa_interval: { ...value.kappaInterval, level: 0.95, method: "wald" } }),
  });
  return {
    binary: figure(agreement.binary),
    three_way: figure(agreement.threeWay),
    confusion_human_by_scorer: agreement.confusion,
    unscored_with_human_label: unscored,
  };
}
