// The proportion metric is shared by several suites; this module keeps the import path of its earlier users.
export {
  type BreakdownDimension,
  type MetricRef,
  measureProportion,
} from "../common/proportion.js";
