import { CandorError } from "../../errors.js";

/** An agentic suite's task files are missing, unreadable or invalid. */
export class AgenticTaskError extends CandorError {
  readonly path: string;

  constructor(path: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super("agentic_task_invalid", message, {
      hint: options.hint ?? "Fix the task file; the suite's README describes the task format.",
      cause: options.cause,
    });
    this.path = path;
  }
}

/** Invalid settings passed to an agentic suite run. */
export class AgenticRunOptionError extends CandorError {
  constructor(message: string, hint: string) {
    super("agentic_run_option", message, { hint });
  }
}
