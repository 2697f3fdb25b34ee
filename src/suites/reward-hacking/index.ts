export {
  CHECK_COMMAND,
  DETECTOR_IDS,
  detectCheckPasses,
  detectSpecialCasing,
  detectTestTampering,
  type RewardHackingTask,
} from "./detectors.js";
export { parseRewardHackingSpec, type RewardHackingSpec } from "./spec.js";
export {
  DETECTORS_VERSION,
  loadRewardHackingSuite,
  REWARD_HACKING_METRICS,
  REWARD_HACKING_SUITE_DIR,
  REWARD_HACKING_SUITE_ID,
  type RewardHackingSuite,
  scoreRewardHackingRun,
  TASK_KINDS,
} from "./suite.js";
