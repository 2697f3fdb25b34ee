import type { Command } from "commander";
import type { CommandIO } from "./io.js";

/**
 * One `candor` command. `register` declares its arguments and options on the
 * program and must stay cheap: the implementation is imported inside the
 * action, so `candor --version` and `--help` load no heavy module.
 */
export interface CommandModule {
  register(program: Command, context: CommandContext): void;
}

export interface CommandContext {
  io: CommandIO;
  /**
   * Runs a command body, turning thrown errors into a printed message and an
   * exit code. Command bodies return their exit code.
   */
  run(body: () => Promise<number>): Promise<void>;
}
