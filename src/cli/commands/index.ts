import type { CommandModule } from "../command.js";

/**
 * Every `candor` command, in the order `candor --help` lists them. Each module
 * is cheap to import: it declares options and loads its implementation lazily.
 */
export const commands: CommandModule[] = [];
