import type { CommandModule } from "../command.js";
import { importCommand } from "./import.js";
import { probeCommand } from "./probe.js";
import { measureCommands } from "./run.js";
import { reportCommands } from "./site.js";
import { transcriptCommand } from "./transcript.js";
import { specCommands } from "./validate.js";

/**
 * Every `candor` command, in the order `candor --help` lists them. Each module
 * is cheap to import: it declares options and loads its implementation lazily.
 */
export const commands: CommandModule[] = [
  ...specCommands,
  probeCommand,
  ...reportCommands,
  transcriptCommand,
  ...measureCommands,
  importCommand,
];
