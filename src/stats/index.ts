/**
 * Statistics behind every Candor metric, comparison and probe: intervals for
 * proportions and means, clustered and paired estimates, agreement, AUROC and
 * detection verdicts. Every function is pure, validates its input and throws
 * StatsError on invalid input.
 */

export { type Auroc, auroc, type BinaryLabel } from "./auroc.js";
export { binomialCdf, binomialPmf, binomialUpperTail } from "./binomial.js";
export {
  type PairedBootstrap,
  type PairedBootstrapOptions,
  type PairedStatistic,
  pairedBootstrap,
  sortedQuantile,
} from "./bootstrap.js";
export { chiSquareCdf, chiSquareSurvival } from "./chi-square.js";
export { type ClopperPearsonInterval, clopperPearsonInterval } from "./clopper-pearson.js";
export {
  type ClusteredMean,
  type ClusteredMeanOptions,
  type ClusteredProportionOptions,
  type ClusteredUnit,
  type ClusterKey,
  clusteredMean,
  clusteredProportion,
} from "./clustered.js";
export { StatsError, type StatsErrorCode } from "./errors.js";
export {
  clip,
  DEFAULT_LEVEL,
  type Interval,
  type IntervalMethod,
  intervalOf,
} from "./interval.js";
export { type CohenKappa, type CohenKappaOptions, cohenKappa, type Label } from "./kappa.js";
export {
  type ClusterMean,
  type MacroAverage,
  type MacroAverageOptions,
  macroAverage,
} from "./macro-average.js";
export { type McNemarExact, mcnemarExact } from "./mcnemar.js";
export { type NewcombeDifference, newcombeDifference } from "./newcombe.js";
export {
  normalCdf,
  normalCriticalValue,
  normalDensity,
  normalQuantile,
  normalSurvival,
} from "./normal.js";
export {
  type PairedMeanDifference,
  type PairedMeanOptions,
  pairedMeanDifference,
} from "./paired-mean.js";
export {
  type PairedIntervalFormula,
  type PairedProportionDifference,
  type PairedProportionOptions,
  type PairedTable,
  pairedProportionDifference,
  pairedProportionFromTable,
} from "./paired-proportion.js";
export { SeededRandom } from "./random.js";
export { studentTCdf, studentTCriticalValue, studentTQuantile } from "./student-t.js";
export {
  type Alternative,
  decideVerdict,
  type Verdict,
  type VerdictInput,
  type VerdictResult,
} from "./verdict.js";
export { type WilsonInterval, wilsonInterval } from "./wilson.js";
