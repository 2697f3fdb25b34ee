import { mkdirSync } from "node:fs";
import { InputOutputError, quote } from "../../errors.js";

/** Creates the folder a report and its outcomes files are written to, with any missing parents. */
export function createOutputFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputOutputError(
      "out_dir_unwritable",
      dir,
      `cannot create the output folder ${quote(dir)}`,
      {
        hint: "Choose a folder you can write to.",
        cause: error,
      },
    );
  }
}
