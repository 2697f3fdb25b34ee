import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/paths.js";

// Vitest strips types without checking them, so the type check runs here to
// keep `npm test` the one command that proves the tree is sound.
describe("type check", () => {
  it("passes tsc with no errors", () => {
    const tsc = join(PACKAGE_ROOT, "node_modules", ".bin", "tsc");
    let output = "";
    try {
      execFileSync(tsc, ["-p", join(PACKAGE_ROOT, "tsconfig.json"), "--noEmit"], {
        cwd: PACKAGE_ROOT,
        encoding: "utf8",
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  }, 120_000);
});
