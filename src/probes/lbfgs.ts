/** Objective for the minimiser: returns f(x) and writes ∇f(x) into `gradient`. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Number of correction pairs kept; 10 as in SciPy's L-BFGS-B default. */
  memory: number;
  maxIterations: number;
  /** Converged when the largest absolute gradient component is at most this. */
  gradientTolerance: number;
  onIteration?: (progress: LbfgsProgress) => void;
}

export interface LbfgsProgress {
  iteration: number;
  evaluations: number;
  value: number;
  gradientMaxNorm: number;
}

export type LbfgsStop = "gradient_tolerance" | "max_iterations" | "no_progress";

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradientMaxNorm: number;
  iterations: number;
  evaluations: number;
  stop: LbfgsStop;
}

const ARMIJO = 1e-4;
const MAX_LINE_SEARCH_STEPS = 30;

/**
 * Minimises a smooth function with limited-memory BFGS (Nocedal and Wright,
 * Numerical Optimization, 2nd ed., algorithms 7.4 and 7.5) and a backtracking
 * line search with the Armijo condition and safeguarded quadratic
 * interpolation. Every operation runs in a fixed order on one thread, so the
 * same objective and start give bit-identical results.
 */
export function minimiseLbfgs(
  objective: Objective,
  start: Float64Array,
  options: LbfgsOptions,
): LbfgsResult {
  const n = start.length;
  const x = Float64Array.from(start);
  const gradient = new Float64Array(n);
  let value = objective(x, gradient);
  let evaluations = 1;

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rhoHistory: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(options.memory);
  const trial = new Float64Array(n);
  const trialGradient = new Float64Array(n);

  let iteration = 0;
  let stop: LbfgsStop = "max_iterations";
  let gradientMaxNorm = maxAbs(gradient);
  options.onIteration?.({ iteration, evaluations, value, gradientMaxNorm });

  while (iteration < options.maxIterations) {
    if (gradientMaxNorm <= options.gradientTolerance) {
      stop = "gradient_tolerance";
      break;
    }

    // Two-loop recursion: direction = -H·gradient.
    direction.set(gradient);
    for (let k = sHistory.length - 1; k >= 0; k--) {
      const a = (rhoHistory[k] as number) * dot(sHistory[k] as Float64Array, direction);
      alpha[k] = a;
      axpy(-a, yHistory[k] as Float64Array, direction);
    }
    if (sHistory.length > 0) {
      const last = sHistory.length - 1;
      const lastY = yHistory[last] as Float64Array;
      scale(dot(sHistory[last] as Float64Array, lastY) / dot(lastY, lastY), direction);
    }
    for (let k = 0; k < sHistory.length; k++) {
      const b = (rhoHistory[k] as number) * dot(yHistory[k] as Float64Array, direction);
      axpy((alpha[k] as number) - b, sHistory[k] as Float64Array, direction);
    }
    scale(-1, direction);

    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // The history no longer gives a descent direction: restart from steepest descent.
      sHistory.length = 0;
      yHistory.length = 0;
      rhoHistory.length = 0;
      direction.set(gradient);
      scale(-1, direction);
      slope = -dot(gradient, gradient);
    }

    // The first step has no curvature estimate, so it is scaled to unit length.
    let step = sHistory.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(direction, direction))) : 1;
    let trialValue = Number.NaN;
    let accepted = false;
    for (let attempt = 0; attempt < MAX_LINE_SEARCH_STEPS; attempt++) {
      for (let i = 0; i < n; i++) {
        trial[i] = (x[i] as number) + step * (direction[i] as number);
      }
      trialValue = objective(trial, trialGradient);
      evaluations++;
      if (Number.isFinite(trialValue) && trialValue <= value + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      // Minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] × step.
      const quadratic = Number.isFinite(trialValue)
        ? (-slope * step * step) / (2 * (trialValue - value - slope * step))
        : 0.1 * step;
      step = Math.min(0.5 * step, Math.max(0.1 * step, quadratic));
    }
    if (!accepted) {
      stop = "no_progress";
      break;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (trial[i] as number) - (x[i] as number);
      y[i] = (trialGradient[i] as number) - (gradient[i] as number);
    }
    const sy = dot(s, y);
    // Keep the pair only under positive curvature, which keeps the inverse Hessian estimate positive definite.
    if (sy > 1e-10 * dot(y, y)) {
      if (sHistory.length === options.memory) {
        sHistory.shift();
        yHistory.shift();
        rhoHistory.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rhoHistory.push(1 / sy);
    }

    const previous = value;
    x.set(trial);
    gradient.set(trialGradient);
    value = trialValue;
    gradientMaxNorm = maxAbs(gradient);
    iteration++;
    options.onIteration?.({ iteration, evaluations, value, gradientMaxNorm });

    if (gradientMaxNorm <= options.gradientTolerance) {
      stop = "gradient_tolerance";
      break;
    }
    // No change at the level of float64 rounding: further steps cannot help.
    if (previous - value <= 2.2e-16 * Math.max(1, Math.abs(value))) {
      stop = "no_progress";
      break;
    }
  }
  return { x, value, gradientMaxNorm, iterations: iteration, evaluations, stop };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    sum += (a[i] as number) * (b[i] as number);
  }
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) {
    y[i] = (y[i] as number) + a * (x[i] as number);
  }
}

function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    x[i] = a * (x[i] as number);
  }
}

function maxAbs(x: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const value = Math.abs(x[i] as number);
    if (value > max) {
      max = value;
    }
  }
  return max;
}
