import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";

const BUILT = join(PACKAGE_ROOT, "dist", "cli", "commands", "site.js");
const FIXTURES = join(import.meta.dirname, "..", "fixtures", "reports");

function candor(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin", "candor.js"), ...args], {
    cwd,
    encoding: "utf8",
  });
}

describe.skipIf(!existsSync(BUILT))(
  `report commands through the built binary${existsSync(BUILT) ? "" : " (skipped: run npm run build first)"}`,
  () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "candor-binary-"));
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("signs, verifies, compares, renders and builds a site", () => {
      expect(candor(dir, "keygen", "-o", "lab").status).toBe(0);
      expect(
        candor(
          dir,
          "sign",
          join(FIXTURES, "measured-a.json"),
          "--key",
          "lab.key",
          "-o",
          "a.dsse.json",
        ).status,
      ).toBe(0);

      const verified = candor(dir, "verify", "a.dsse.json", "--key", "lab.pub", "--json");
      expect(verified.status).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({
        verified: true,
        payload_type: "application/vnd.candor.report+json",
      });

      const compared = candor(
        dir,
        "compare",
        "a.dsse.json",
        join(FIXTURES, "measured-b.json"),
        "--key",
        "lab.pub",
      );
      expect(compared.status).toBe(0);
      expect(compared.stdout).toMatch(/signature\s+verified/);
      expect(compared.stdout).toContain(
        "B vs A: directly comparable: difference +10.0 pp [+1.5, +18.3]",
      );

      expect(candor(dir, "render", "a.dsse.json", "--key", "lab.pub", "-o", "a.html").status).toBe(
        0,
      );
      expect(readFileSync(join(dir, "a.html"), "utf8")).toContain('data-signature="verified"');

      expect(candor(dir, "site", FIXTURES, "-o", "site").status).toBe(0);
      expect(existsSync(join(dir, "site", "index.html"))).toBe(true);
    }, 120_000);

    it("exits 1 on a failed verification", () => {
      expect(candor(dir, "keygen", "-o", "other").status).toBe(0);
      const result = candor(dir, "verify", "a.dsse.json", "--key", "other.pub");
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("verification failed");
    });
  },
);
