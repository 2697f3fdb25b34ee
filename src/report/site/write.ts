import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { InputOutputError, quote } from "../../errors.js";

/** Writes a generated file, creating its folder; throws InputOutputError naming the path on failure. */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, "utf8");
  } catch (cause) {
    throw new InputOutputError("file.unwritable", path, `cannot write ${quote(path)}`, {
      hint: "Check that the folder is writable.",
      cause,
    });
  }
}
