/** Progress of a long probe operation, for the CLI to render; library code never prints. */
export type ProbeProgress =
  | { phase: "read"; file: string; rowsDone: number; rowsTotal: number }
  | {
      phase: "train";
      iteration: number;
      evaluations: number;
      objective: number;
      gradientMaxNorm: number;
    };

export type ProgressListener = (event: ProbeProgress) => void;

/** Rows per block when streaming a file: 4,096 rows of 4,096 float32 values are 64 MiB. */
export function blockRowsFor(dims: number): number {
  return Math.max(1, Math.floor((64 * 1024 * 1024) / (dims * 4)));
}
