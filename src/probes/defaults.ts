/**
 * Default settings of the probe commands, in a module without imports so the
 * CLI can show them in --help without loading the probe code.
 */
export const PROBE_DEFAULTS = {
  /** L2 penalty λ on standardised weights. */
  l2: 1e-3,
  maxIterations: 1000,
  /** Largest absolute gradient component at which L-BFGS stops. */
  gradientTolerance: 1e-6,
  positiveLabel: "deceptive",
  negativeLabel: "honest",
  aggregation: "mean",
  targetFalsePositiveRate: 0.01,
  calibrationShare: 0.5,
  seed: "candor",
  level: 0.95,
  /** Index set of control responses when they share the validation files. */
  controlSet: "control",
} as const;
