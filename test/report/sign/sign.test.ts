import { spawnSync } from "node:child_process";
import { createHash, createPublicKey } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIO } from "../../../src/cli/io.js";
import { main } from "../../../src/cli/main.js";
import { openReport } from "../../../src/report/open.js";
import { decodeBase64, preAuthEncoding } from "../../../src/report/sign/dsse.js";
import { loadTrustedKeys } from "../../../src/report/sign/load.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "reports");

let dir: string;

async function run(...args: string[]) {
  const io = bufferIO({ cwd: dir });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

function readEnvelope(name: string): {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
} {
  return JSON.parse(readFileSync(join(dir, name), "utf8"));
}

function writeEnvelope(name: string, envelope: unknown): void {
  writeFileSync(join(dir, name), JSON.stringify(envelope));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "candor-sign-"));
  copyFileSync(join(FIXTURES, "measured-a.json"), join(dir, "report.json"));
  copyFileSync(join(FIXTURES, "o1-card-2024.json"), join(dir, "card.json"));
  expect((await run("keygen", "-o", "lab")).code).toBe(0);
  expect((await run("keygen", "-o", "other")).code).toBe(0);
  expect(
    (await run("sign", "report.json", "--key", "lab.key", "-o", "report.dsse.json")).code,
  ).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("DSSE pre-authentication encoding", () => {
  it("matches the DSSE protocol layout", () => {
    const encoded = preAuthEncoding("http://example.com/HelloWorld", Buffer.from("hello world"));
    expect(encoded.toString("utf8")).toBe("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  });

  it("counts bytes, not characters", () => {
    const encoded = preAuthEncoding("t", Buffer.from("é", "utf8"));
    expect(encoded.toString("utf8")).toBe("DSSEv1 1 t 2 é");
  });
});

describe("keygen", () => {
  it("writes a private key readable only by its owner", () => {
    expect(statSync(join(dir, "lab.key")).mode & 0o777).toBe(0o600);
  });

  it("writes PKCS#8 and SPKI PEM", () => {
    expect(readFileSync(join(dir, "lab.key"), "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
    expect(readFileSync(join(dir, "lab.pub"), "utf8")).toContain("-----BEGIN PUBLIC KEY-----");
  });

  it("prints the sha256 of the SPKI DER as key id", async () => {
    const result = await run("keygen", "-o", "third", "--json");
    const printed = JSON.parse(result.out) as { keyid: string };
    const der = createPublicKey(readFileSync(join(dir, "third.pub"), "utf8")).export({
      type: "spki",
      format: "der",
    });
    expect(printed.keyid).toBe(createHash("sha256").update(der).digest("hex"));
  });

  it("refuses to overwrite a key", async () => {
    const result = await run("keygen", "-o", "lab");
    expect(result.code).toBe(2);
    expect(result.err).toContain("already exists");
  });

  it("leaves no private key beside another key's public half", async () => {
    copyFileSync(join(dir, "other.pub"), join(dir, "half.pub"));
    const result = await run("keygen", "-o", "half");
    expect(result.code).toBe(2);
    expect(result.err).toContain('half.pub" already exists');
    expect(existsSync(join(dir, "half.key"))).toBe(false);
    expect(readFileSync(join(dir, "half.pub"))).toEqual(readFileSync(join(dir, "other.pub")));
  });

  it("refuses a prefix that names no file", async () => {
    for (const prefix of ["", "keys/"]) {
      const result = await run("keygen", "-o", prefix);
      expect(result.code, prefix).toBe(2);
      expect(result.err, prefix).toContain("names no file");
    }
    expect(existsSync(join(dir, "keys.key"))).toBe(false);
  });
});

describe("key and report file problems", () => {
  it("refuses /dev/zero as a key, a trusted-keys file and a report", async () => {
    for (const args of [
      ["sign", "report.json", "--key", "/dev/zero", "-o", "zero.dsse.json"],
      ["sign", "/dev/zero", "--key", "lab.key", "-o", "zero.dsse.json"],
      ["verify", "report.dsse.json", "--key", "/dev/zero"],
      ["validate", "report.json", "--keys", "/dev/zero"],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.err, args.join(" ")).toContain('"/dev/zero" is not a regular file');
    }
  });

  it("refuses a FIFO as a key without waiting for a writer", async () => {
    const fifo = join(dir, "pipe.pub");
    if (spawnSync("mkfifo", [fifo]).status !== 0) {
      return;
    }
    const result = await run("verify", "report.dsse.json", "--key", "pipe.pub");
    expect(result.code).toBe(2);
    expect(result.err).toContain("is not a regular file");
  });

  it("says where a trusted-keys file stops being JSON", async () => {
    writeFileSync(join(dir, "cut-keys.json"), '[{"public_key": 1, "name": "x"},');
    const result = await run("verify", "report.dsse.json", "--keys", "cut-keys.json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("is not valid JSON: not valid JSON at line 1, column 33");
  });

  it("refuses to write the envelope over the report", async () => {
    const before = readFileSync(join(dir, "report.json"));
    const result = await run("sign", "report.json", "--key", "lab.key", "-o", "./report.json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("the envelope would replace the report");
    expect(readFileSync(join(dir, "report.json"))).toEqual(before);
  });
});

describe("sign and verify", () => {
  it("puts the report's exact bytes in the payload", () => {
    const envelope = readEnvelope("report.dsse.json");
    expect(envelope.payloadType).toBe("application/vnd.candor.report+json");
    expect(
      decodeBase64(envelope.payload, "payload").equals(readFileSync(join(dir, "report.json"))),
    ).toBe(true);
  });

  it("verifies with the public key and names signer, key, type and model", async () => {
    const result = await run("verify", "report.dsse.json", "--key", "lab.pub");
    expect(result.code).toBe(0);
    expect(result.out).toContain("key id:");
    expect(result.out).toContain(readEnvelope("report.dsse.json").signatures[0]?.keyid);
    expect(result.out).toContain("application/vnd.candor.report+json");
    expect(result.out).toContain("Example Chat 2025-06-01");
  });

  it("names the signer from a trusted-keys file", async () => {
    const keygen = await run(
      "keygen",
      "-o",
      "named",
      "--json",
      "--name",
      "Example Lab safety team",
    );
    const entry = (JSON.parse(keygen.out) as { trusted_key: unknown }).trusted_key;
    writeFileSync(join(dir, "trusted.json"), JSON.stringify([entry]));
    expect(
      (await run("sign", "report.json", "--key", "named.key", "-o", "named.dsse.json")).code,
    ).toBe(0);

    const result = await run("verify", "named.dsse.json", "--keys", "trusted.json");
    expect(result.code).toBe(0);
    expect(result.out).toContain("signer:       Example Lab safety team");
  });

  it("rejects a trusted-keys entry whose key id does not match its key", async () => {
    const pem = readFileSync(join(dir, "lab.pub"), "utf8");
    writeFileSync(
      join(dir, "bad-keys.json"),
      JSON.stringify([{ keyid: "0".repeat(64), public_key: pem, name: "x" }]),
    );
    const result = await run("verify", "report.dsse.json", "--keys", "bad-keys.json");
    expect(result.code).toBe(2);
    expect(result.err).toContain("but its key's id is");
  });

  it("wraps the report in an in-toto Statement naming the model", async () => {
    expect(
      (await run("sign", "report.json", "--key", "lab.key", "-o", "statement.json", "--statement"))
        .code,
    ).toBe(0);
    const envelope = readEnvelope("statement.json");
    expect(envelope.payloadType).toBe("application/vnd.in-toto+json");
    const statement = JSON.parse(decodeBase64(envelope.payload, "payload").toString("utf8"));
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(statement._type).toBe("https://in-toto.io/Statement/v1");
    expect(statement.predicateType).toBe("https://candor.dev/report/v0");
    expect(statement.predicate).toEqual(report);
    expect(statement.subject).toEqual([
      {
        name: "Example Chat@2025-06-01",
        digest: {
          sha256: createHash("sha256").update(report.model.endpoint, "utf8").digest("hex"),
        },
      },
    ]);
    const verified = await run("verify", "statement.json", "--key", "lab.pub");
    expect(verified.code).toBe(0);
    expect(verified.out).toContain("in-toto Statement");
  });

  it("refuses a Statement for a model with neither digest nor endpoint", async () => {
    const result = await run(
      "sign",
      "card.json",
      "--key",
      "lab.key",
      "-o",
      "card.dsse.json",
      "--statement",
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain("neither weights_digest nor endpoint");
  });

  it("refuses to sign an invalid report unless forced", async () => {
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    report.results = report.results.filter(
      (result: { metric: string }) => result.metric !== "refusal.over_refusal_rate",
    );
    writeFileSync(join(dir, "invalid.json"), JSON.stringify(report));

    const refused = await run(
      "sign",
      "invalid.json",
      "--key",
      "lab.key",
      "-o",
      "invalid.dsse.json",
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("not a valid report");
    expect(() => statSync(join(dir, "invalid.dsse.json"))).toThrow();

    const forced = await run(
      "sign",
      "invalid.json",
      "--key",
      "lab.key",
      "-o",
      "invalid.dsse.json",
      "--force",
    );
    expect(forced.code).toBe(0);
  });
});

describe("verify rejects tampering", () => {
  it("fails on a changed byte of the report", async () => {
    const envelope = readEnvelope("report.dsse.json");
    const bytes = decodeBase64(envelope.payload, "payload");
    const changed = Buffer.from(
      bytes.toString("utf8").replace('"value": 0.2,', '"value": 0.1,'),
      "utf8",
    );
    expect(changed.equals(bytes)).toBe(false);
    writeEnvelope("changed.json", { ...envelope, payload: changed.toString("base64") });

    const result = await run("verify", "changed.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("does not match the payload");
  });

  it("fails with a key that did not sign", async () => {
    const result = await run("verify", "report.dsse.json", "--key", "other.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("is not trusted");
  });

  it("shortens a long key id in the reason", async () => {
    const envelope = readEnvelope("report.dsse.json");
    const signature = { ...envelope.signatures[0], keyid: "x".repeat(100_000) };
    writeEnvelope("long-keyid.json", { ...envelope, signatures: [signature] });
    const result = await run("verify", "long-keyid.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("is not trusted");
    expect(result.err.length).toBeLessThan(1000);
  });

  it("names the failed signature when the payload is no report", async () => {
    const envelope = readEnvelope("report.dsse.json");
    writeEnvelope("array-payload.json", {
      ...envelope,
      payload: Buffer.from("[1,2]").toString("base64"),
    });
    const result = await run("verify", "array-payload.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("no signature verifies");
    expect(result.err).toContain("the document is not a JSON object");
  });

  it("fails on a swapped payload type", async () => {
    const envelope = readEnvelope("report.dsse.json");
    writeEnvelope("swapped.json", { ...envelope, payloadType: "application/vnd.in-toto+json" });
    const result = await run("verify", "swapped.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("does not match the payload and payload type");
  });

  it("fails on a truncated envelope", async () => {
    const text = readFileSync(join(dir, "report.dsse.json"), "utf8");
    writeFileSync(join(dir, "truncated.json"), text.slice(0, Math.floor(text.length / 2)));
    const result = await run("verify", "truncated.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("not a usable JSON document");
  });

  it("fails on bad base64 in the payload", async () => {
    const envelope = readEnvelope("report.dsse.json");
    writeEnvelope("bad-base64.json", {
      ...envelope,
      payload: `${envelope.payload.slice(0, 40)}!!${envelope.payload.slice(42)}`,
    });
    const result = await run("verify", "bad-base64.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("payload is not valid base64");
  });

  it("fails on base64 that is not canonical", async () => {
    // "QR==" decodes to the same byte as "QQ==" because the decoder drops
    // the low bits of the last character; such text is rejected.
    const envelope = readEnvelope("report.dsse.json");
    writeEnvelope("non-canonical.json", { ...envelope, signatures: [{ keyid: "", sig: "QR==" }] });
    const result = await run("verify", "non-canonical.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("not canonical base64");
  });

  it("fails when the signatures list is empty", async () => {
    const envelope = readEnvelope("report.dsse.json");
    writeEnvelope("unsigned.json", { ...envelope, signatures: [] });
    const result = await run("verify", "unsigned.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("signatures list is empty");
  });

  it("fails when the signatures member is missing", async () => {
    const { signatures: _dropped, ...envelope } = readEnvelope("report.dsse.json");
    writeEnvelope("no-signatures.json", envelope);
    const result = await run("verify", "no-signatures.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("no signatures list");
  });

  it("fails on a bare report", async () => {
    const result = await run("verify", "report.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("bare report");
  });

  it("fails on a Statement whose subject names another model", async () => {
    const envelope = readEnvelope("statement.json");
    const statement = JSON.parse(decodeBase64(envelope.payload, "payload").toString("utf8"));
    statement.subject[0].name = "Another Model@1";
    const { signEnvelope } = await import("../../../src/report/sign/sign.js");
    const { readPrivateKey } = await import("../../../src/report/sign/keys.js");
    const key = readPrivateKey(readFileSync(join(dir, "lab.key"), "utf8"), "lab.key");
    writeEnvelope(
      "wrong-subject.json",
      signEnvelope(envelope.payloadType, Buffer.from(JSON.stringify(statement)), key),
    );
    const result = await run("verify", "wrong-subject.json", "--key", "lab.pub");
    expect(result.code).toBe(1);
    expect(result.err).toContain("subject does not name");
  });
});

describe("openReport", () => {
  it("opens a bare report without an envelope", async () => {
    const opened = await openReport(join(dir, "report.json"));
    expect(opened.envelope).toBeUndefined();
    expect(opened.report.model.name).toBe("Example Chat");
  });

  it("reports a verified signature with a trusted key", async () => {
    const trustedKeys = await loadTrustedKeys({ keyPath: join(dir, "lab.pub") });
    const opened = await openReport(join(dir, "report.dsse.json"), { trustedKeys });
    expect(opened.envelope?.verified).toBe(true);
    expect(opened.bytes.equals(readFileSync(join(dir, "report.json")))).toBe(true);
  });

  it("says why a signature is unverified without keys", async () => {
    const opened = await openReport(join(dir, "report.dsse.json"));
    expect(opened.envelope?.verified).toBe(false);
    expect(opened.envelope?.reason).toBe("no trusted key was given");
  });

  it("opens the report inside a Statement", async () => {
    const opened = await openReport(join(dir, "statement.json"));
    expect(opened.envelope?.statement).toBe(true);
    expect(opened.report.report_id).toBe("example-lab-chat-2025-06");
  });
});
