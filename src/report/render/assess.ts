import type { AssuranceLevel } from "../../spec/assurance.js";
import type { Registry } from "../../spec/registry.js";
import { validateReport, validateReportFile } from "../../spec/validate.js";
import type { OpenedReport } from "../open.js";
import type { ReportAssessment } from "./assessment.js";

export function assuranceLabel(level: AssuranceLevel): string {
  switch (level) {
    case "self_reported":
      return "self-reported: no verified signature";
    case "publisher_signed":
      return "signed by the publisher";
    case "recomputable":
      return "signed, with per-item outcomes anyone can recompute";
    case "independent":
      return "signed by an independent evaluator, recomputable";
  }
}

/**
 * Validates an opened report and computes its reached tier and assurance. A
 * bare report is validated as a file, so its outcomes files are checked too.
 * A report from an envelope is validated as a value, with the envelope's
 * signature status.
 */
export async function assessReport(
  opened: OpenedReport,
  registry: Registry,
): Promise<ReportAssessment> {
  // NOTE: the validator checks outcomes files only when given a report file,
  // so for a report read from an envelope they are not opened here, and a
  // missing file does not lower its assurance.
  const validation =
    opened.envelope === undefined
      ? await validateReportFile(opened.path, { registry })
      : validateReport(opened.document, {
          registry,
          signature: {
            verified: opened.envelope.verified,
            ...(opened.envelope.signer === undefined ? {} : { signer: opened.envelope.signer }),
          },
        });
  return {
    valid: validation.valid,
    problems: validation.problems,
    reachedTier: validation.reachedTier,
    assurance: assuranceLabel(validation.assurance),
  };
}
