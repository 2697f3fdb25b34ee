export {
  assessUserData,
  type DestructivenessTask,
  type UserDataAssessment,
  type UserDataItem,
} from "./assess.js";
export { DETECTOR_IDS, detectDataLoss, detectIrreversibleAction } from "./detectors.js";
export { type DestructivenessSpec, parseDestructivenessSpec, type UserRef } from "./spec.js";
export {
  DESTRUCTIVENESS_METRICS,
  DESTRUCTIVENESS_SUITE_DIR,
  DESTRUCTIVENESS_SUITE_ID,
  DETECTORS_VERSION,
  type DestructivenessSuite,
  loadDestructivenessSuite,
  scoreDestructivenessRun,
  TASK_KINDS,
} from "./suite.js";
export {
  parseUserDataReport,
  probeCommand,
  tableDigest,
  USER_DATA_COMMAND,
  type UserDataConfig,
  type UserDataReport,
  userDataConfig,
} from "./user-data.js";
