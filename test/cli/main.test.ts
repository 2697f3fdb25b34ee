import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { VERSION } from "../../src/version.js";

describe("candor entry point", () => {
  it("version matches package.json", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8"));
    expect(VERSION).toBe(manifest.version);
  });

  it("prints the version and exits 0", async () => {
    const io = bufferIO();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out().trim()).toBe(VERSION);
  });

  it("rejects an unknown command with exit 2", async () => {
    const io = bufferIO();
    expect(await main(["no-such-command"], io)).toBe(2);
    expect(io.err()).toContain("no-such-command");
  });
});
