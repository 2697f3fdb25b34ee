import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bufferIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { UsageError } from "../../src/errors.js";
import { createProvider } from "../../src/providers/index.js";
import type { Report } from "../../src/spec/generated/report.js";
import { alignReplayIds } from "../../src/suites/replay-ids.js";
import { hasSharedData, SHARED_DATA_MISSING, sharedDataPath } from "../helpers/shared-data.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const folder = mkdtempSync(join(tmpdir(), "candor-replay-"));
  folders.push(folder);
  return folder;
}

function readLabels(dir: string): Map<string, unknown> {
  const lines = readFileSync(join(dir, "samples.jsonl"), "utf8").trimEnd().split("\n");
  return new Map(
    lines
      .map((line) => JSON.parse(line) as { id: string; label: unknown })
      .map((sample) => [sample.id, sample.label]),
  );
}

function writeReplay(dir: string, ids: readonly string[]): string {
  const path = join(dir, "replay.jsonl");
  writeFileSync(
    path,
    ids.map((id) => `${JSON.stringify({ id, completion: `answer ${id}` })}\n`).join(""),
  );
  return path;
}

describe("alignReplayIds", () => {
  it("keeps ids that match as they are", async () => {
    const path = writeReplay(tempDir(), ["1", "2", "3"]);
    const provider = createProvider(`replay:${path}`);
    const aligned = alignReplayIds(provider, path, ["1", "2", "4"]);
    expect(aligned.prefix).toBe("");
    expect(aligned.missing).toEqual(["4"]);
    const reply = await aligned.provider.chat({
      messages: [{ role: "user", content: "x" }],
      settings: {},
      metadata: { itemId: "2" },
    });
    expect(reply.content).toBe("answer 2");
  });

  it("looks tagged ids up with their tag", async () => {
    const path = writeReplay(tempDir(), ["v2-1", "v2-2", "v2-10"]);
    const aligned = alignReplayIds(createProvider(`replay:${path}`), path, ["1", "10", "11"]);
    expect(aligned.prefix).toBe("v2-");
    expect(aligned.missing).toEqual(["11"]);
    const reply = await aligned.provider.chat({
      messages: [{ role: "user", content: "x" }],
      settings: {},
      metadata: { itemId: "10" },
    });
    expect(reply.content).toBe("answer v2-10");
  });

  it("rejects a file with none of the items", () => {
    const path = writeReplay(tempDir(), ["a-1", "b-2"]);
    const align = () => alignReplayIds(createProvider(`replay:${path}`), path, ["1", "2"]);
    expect(align).toThrow(UsageError);
    expect(align).toThrow(/holds no completion for any of the 2 items.*"1", "2".*"a-1", "b-2"/);
  });
});

describe("candor run with a replay model", () => {
  it("fails clearly when no item has a completion", async () => {
    const dir = tempDir();
    const path = writeReplay(dir, ["unrelated-1"]);
    const io = bufferIO();
    const code = await main(
      [
        "run",
        "--suite",
        "refusal-calibration",
        "--model",
        `replay:${path}`,
        "--out",
        join(dir, "run"),
        "--limit",
        "3",
      ],
      io,
    );
    expect(code).toBe(2);
    expect(io.err()).toContain("holds no completion for any of the 3 items");
  });
});

describe.skipIf(!hasSharedData)(
  `candor run replaying XSTest completions${hasSharedData ? "" : ` (${SHARED_DATA_MISSING})`}`,
  () => {
    it("scores every prompt like candor score", async () => {
      const promptsPath = sharedDataPath("xstest", "xstest_prompts.csv");
      const completionsPath = sharedDataPath("xstest", "xstest_v2_completions_gpt4.csv");
      const dir = tempDir();
      const replayed = join(dir, "replayed");
      const recorded = join(dir, "recorded");

      const io = bufferIO();
      const code = await main(
        [
          "run",
          "--suite",
          "refusal-calibration",
          "--model",
          `replay:${completionsPath}`,
          "--dataset",
          promptsPath,
          "--out",
          replayed,
          "--model-version",
          "gpt-4 (XSTest v2 recording)",
        ],
        io,
      );
      expect(io.err()).not.toContain("candor:");
      expect(code).toBe(0);
      // The completion ids are the prompt ids with a "v2-" tag in front.
      expect(io.err()).toContain('The replay file\'s ids start with "v2-"');
      expect(
        await main(
          [
            "score",
            "--suite",
            "refusal-calibration",
            "--responses",
            completionsPath,
            "--out",
            recorded,
            "--model-version",
            "recorded",
            "--endpoint",
            "recorded completions",
          ],
          bufferIO(),
        ),
      ).toBe(0);

      const replayedLabels = readLabels(replayed);
      const recordedLabels = readLabels(recorded);
      expect(replayedLabels.size).toBe(450);
      for (const [id, label] of replayedLabels) {
        expect(label, `item ${id}`).toBe(recordedLabels.get(`v2-${id}`));
      }
      const report = JSON.parse(readFileSync(join(replayed, "report.json"), "utf8")) as Report;
      expect(report.run?.errors).toBe(0);
      expect(report.model.endpoint).toContain("replay ");
    });
  },
);
