import { CandorError, InputOutputError, UsageError } from "../errors.js";
import { type CommandIO, ExitCode, type ExitCodeValue } from "./io.js";

/**
 * Prints a caught error as one readable line (plus a hint line) and returns
 * the exit code for it. Known errors never show a stack trace; anything else
 * is a bug, so it is labelled as one and its stack goes to stderr.
 */
export function reportError(error: unknown, io: CommandIO): ExitCodeValue {
  if (error instanceof CandorError) {
    io.stderr(`candor: ${error.message}\n`);
    if (error.hint !== undefined) {
      io.stderr(`  ${error.hint}\n`);
    }
    if (error instanceof UsageError || error instanceof InputOutputError) {
      return ExitCode.usage;
    }
    return error.exitCode ?? ExitCode.usage;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`candor: internal error, please report it with the command you ran:\n${detail}\n`);
  return ExitCode.internal;
}
