import { Command, CommanderError } from "commander";
import { VERSION } from "../version.js";
import type { CommandContext } from "./command.js";
import { commands } from "./commands/index.js";
import { reportError } from "./errors.js";
import { type CommandIO, ExitCode, processIO } from "./io.js";

/** Builds the `candor` program with every command registered. */
export function buildProgram(io: CommandIO, setExitCode: (code: number) => void): Command {
  const program = new Command("candor")
    .description("Measure, validate, sign, compare and publish behavioural reports on AI models.")
    .version(VERSION, "-V, --version", "print the Candor version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const context: CommandContext = {
    io,
    async run(body) {
      try {
        setExitCode(await body());
      } catch (error) {
        setExitCode(reportError(error, io));
      }
    },
  };
  for (const command of commands) {
    command.register(program, context);
  }
  return program;
}

/** Runs `candor` with the given arguments and returns the exit code. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message; help and version exit 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return reportError(error, io);
  }
  return exitCode;
}
