import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { SPEC_DIR } from "../../src/paths.js";

const REPORT = join(SPEC_DIR, "conformance", "valid", "first-party-withheld.json");

describe("candor validate on envelopes", () => {
  const dir = mkdtempSync(join(tmpdir(), "candor-validate-envelope-"));
  const envelope = join(dir, "report.dsse.json");

  beforeAll(async () => {
    const io = bufferIO({ cwd: dir });
    expect(await main(["keygen", "-o", join(dir, "signer")], io)).toBe(0);
    expect(await main(["sign", REPORT, "--key", join(dir, "signer.key"), "-o", envelope], io)).toBe(
      0,
    );
    expect(await main(["keygen", "-o", join(dir, "other")], io)).toBe(0);
  });

  it("reports a verified signature as publisher_signed", async () => {
    const io = bufferIO();
    const code = await main(["validate", envelope, "--key", join(dir, "signer.pub"), "--json"], io);
    expect(code).toBe(0);
    const file = JSON.parse(io.out()).files[0];
    expect(file.valid).toBe(true);
    expect(file.assurance).toBe("publisher_signed");
    expect(file.signature.verified).toBe(true);
  });

  it("checks an envelope without a key as unsigned", async () => {
    const io = bufferIO();
    expect(await main(["validate", envelope], io)).toBe(0);
    expect(io.out()).toContain("signature NOT verified: no trusted key was given");
    expect(io.out()).toContain("assurance self_reported");
  });

  it("fails a signature made by another key", async () => {
    const io = bufferIO();
    const code = await main(["validate", envelope, "--key", join(dir, "other.pub")], io);
    expect(code).toBe(1);
    expect(io.out()).toContain("envelope.unverified");
  });

  it("fails a payload changed after signing", async () => {
    const value = JSON.parse(readFileSync(envelope, "utf8"));
    const payload = Buffer.from(value.payload, "base64").toString("utf8");
    value.payload = Buffer.from(payload.replace('"first_party"', '"third_party"')).toString(
      "base64",
    );
    const tampered = join(dir, "tampered.dsse.json");
    writeFileSync(tampered, JSON.stringify(value));
    const io = bufferIO();
    expect(await main(["validate", tampered, "--key", join(dir, "signer.pub")], io)).toBe(1);
    expect(io.out()).toContain("envelope.unverified");
  });

  it("fails an envelope with no signatures", async () => {
    const value = JSON.parse(readFileSync(envelope, "utf8"));
    value.signatures = [];
    const broken = join(dir, "unsigned.dsse.json");
    writeFileSync(broken, JSON.stringify(value));
    const io = bufferIO();
    expect(await main(["validate", broken], io)).toBe(1);
    expect(io.out()).toContain("envelope.invalid");
  });
});

describe("candor validate tier gaps", () => {
  it("names the metrics keeping a report below its claimed tier", async () => {
    const file = join(SPEC_DIR, "conformance", "valid", "documentation-not-disclosed.json");
    const report = JSON.parse(readFileSync(file, "utf8"));
    const io = bufferIO();
    expect(await main(["validate", file, "--json"], io)).toBe(0);
    const result = JSON.parse(io.out()).files[0];
    expect(result.reached_tier).toBe(0);
    const undisclosed = report.results
      .filter((entry: { status: string }) => entry.status === "not_disclosed")
      .map((entry: { metric: string }) => entry.metric);
    const gaps = result.tier_gaps.map((gap: { metric: string }) => gap.metric);
    expect(gaps.length).toBeGreaterThan(0);
    for (const gap of result.tier_gaps) {
      expect(undisclosed).toContain(gap.metric);
      expect(gap.status).toBe("not_disclosed");
    }
  });
});
