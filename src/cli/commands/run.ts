import type { CommandModule } from "../command.js";
import { scoreCommandModule } from "./score.js";

/** The commands that measure a model: `candor run` and `candor score`. */
export const measureCommands: CommandModule[] = [scoreCommandModule];
