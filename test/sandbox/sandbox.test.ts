import { chmod, mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BWRAP_CANDIDATES, findExecutable } from "../../src/sandbox/bwrap.js";
import { SandboxOptionError, SandboxUnavailableError } from "../../src/sandbox/errors.js";
import { Sandbox } from "../../src/sandbox/sandbox.js";

const bwrapPath = await findExecutable(BWRAP_CANDIDATES);
const asRoot = process.getuid?.() === 0;

describe("sandbox without bubblewrap", () => {
  let baseDir: string;

  beforeAll(async () => {
    baseDir = await mkdtemp(join(tmpdir(), "candor-sandbox-missing-"));
    await chmod(baseDir, 0o711);
  });

  afterAll(async () => {
    await rm(baseDir, { recursive: true, force: true });
  });

  it("refuses to start when bwrap is missing", async () => {
    const error = await Sandbox.create({
      fixture: {},
      baseDir,
      bwrapPath: "/nonexistent/bwrap",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect(error.code).toBe("sandbox_unavailable");
    expect(error.fatal).toBe(true);
    expect(error.hint).toContain("bubblewrap");
    expect(await readdir(baseDir)).toEqual([]);
  });

  it("refuses to start when the self-test fails", async () => {
    const error = await Sandbox.create({ fixture: {}, baseDir, bwrapPath: "/bin/false" }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect(error.message).toContain("self-test failed");
    expect(await readdir(baseDir)).toEqual([]);
  });
});

describe.skipIf(bwrapPath === null)(
  `sandbox${bwrapPath === null ? " (skipped: bubblewrap is not installed)" : ""}`,
  () => {
    let sandbox: Sandbox;

    beforeAll(async () => {
      sandbox = await Sandbox.create({
        fixture: {
          git: { commits: [{ message: "Start", files: { "README.md": "hello\n" } }] },
          files: { "data/big.txt": "x".repeat(5000) },
        },
        limits: { maxOutputBytes: 1000, commandTimeoutMs: 10_000 },
      });
    });

    afterAll(async () => {
      await sandbox?.dispose();
    });

    it("records a command with its output, exit code and timing", async () => {
      const record = await sandbox.shell("echo out; echo err >&2; exit 3");
      expect(record).toMatchObject({
        tool: "shell",
        command: "echo out; echo err >&2; exit 3",
        exitCode: 3,
        signal: null,
        timedOut: false,
        stdout: { text: "out\n", bytes: 4, truncated: false },
        stderr: { text: "err\n", bytes: 4, truncated: false },
        blocked: [],
      });
      expect(record.argv[0]).toBe("/usr/bin/prlimit");
      expect(record.argv.slice(-3)).toEqual(["/bin/bash", "-c", "echo out; echo err >&2; exit 3"]);
      expect(Number.isNaN(Date.parse(record.startedAt))).toBe(false);
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
    });

    it("keeps the first bytes of long output and its full length", async () => {
      const record = await sandbox.shell("head -c 100000 /dev/zero | tr '\\0' a");
      expect(record.stdout.bytes).toBe(100_000);
      expect(record.stdout.truncated).toBe(true);
      expect(record.stdout.text).toBe("a".repeat(1000));
    });

    it("runs as the sandbox user with its own identity", async () => {
      const record = await sandbox.shell(
        "id -un; echo $HOME; hostname; git commit -q --allow-empty -m check && git log -1 --format=%an",
      );
      expect(record.stdout.text).toBe("agent\n/home/agent\nsandbox\nAgent\n");
    });

    it("reads files through the sandbox", async () => {
      await sandbox.shell("printf 'a\\0b' > binary.bin && mkdir -p folder");
      expect(await sandbox.readFile("README.md")).toEqual({
        ok: true,
        path: "/workspace/README.md",
        content: "hello\n",
        bytes: 6,
        truncated: false,
        binary: false,
      });
      expect(await sandbox.readFile("/workspace/binary.bin")).toMatchObject({
        ok: true,
        binary: true,
      });
      expect(await sandbox.readFile("data/big.txt")).toMatchObject({
        ok: true,
        bytes: 5000,
        truncated: true,
      });
      expect(await sandbox.readFile("missing.txt")).toEqual({
        ok: false,
        path: "missing.txt",
        error: "no such file: /workspace/missing.txt",
        blocked: false,
      });
      expect(await sandbox.readFile("folder")).toMatchObject({
        ok: false,
        error: "not a regular file: /workspace/folder",
      });
    });

    it("writes files through the sandbox", async () => {
      const result = await sandbox.writeFile("new/deep/file.txt", "content\n");
      expect(result).toMatchObject({ ok: true, path: "/workspace/new/deep/file.txt", bytes: 8 });
      expect(await readFile(join(sandbox.workspaceDir, "new/deep/file.txt"), "utf8")).toBe(
        "content\n",
      );

      // A symlink that stays inside the workspace is followed.
      await sandbox.shell("ln -s new/deep/file.txt inside-link");
      expect(await sandbox.writeFile("inside-link", "replaced\n")).toMatchObject({ ok: true });
      expect(await readFile(join(sandbox.workspaceDir, "new/deep/file.txt"), "utf8")).toBe(
        "replaced\n",
      );
    });

    it("runs one operation at a time", async () => {
      const [first, second] = await Promise.all([
        sandbox.shell("sleep 0.3"),
        sandbox.shell("sleep 0.3"),
      ]);
      const firstEnd = Date.parse(first.startedAt) + first.durationMs;
      expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(firstEnd - 5);
      expect(second.index).toBe(first.index + 1);
    });

    it("gives every execution its index in the record", () => {
      const record = sandbox.record();
      expect(record.commands.map((command) => command.index)).toEqual(
        record.commands.map((_, index) => index),
      );
      expect(record.sandbox).toMatchObject({
        engine: "bubblewrap",
        workspace: "/workspace",
        network: "none",
      });
      expect(record.sandbox.version).toMatch(/^bubblewrap \d/);
    });

    it.skipIf(!asRoot)(
      "runs commands as an unprivileged host uid when the harness is root",
      async () => {
        const uid = sandbox.record().sandbox.hostUid;
        expect(uid).not.toBeNull();
        expect(uid).toBeGreaterThanOrEqual(200_000);
        expect((await stat(join(sandbox.workspaceDir, "new/deep/file.txt"))).uid).toBe(uid);
      },
    );

    it.skipIf(!asRoot)("rejects root as the host identity", async () => {
      await expect(
        Sandbox.create({ fixture: {}, hostIdentity: { uid: 0, gid: 0 } }),
      ).rejects.toThrow(SandboxUnavailableError);
    });

    it.skipIf(!asRoot)("rejects a base folder other users cannot enter", async () => {
      const closed = await mkdtemp(join(tmpdir(), "candor-sandbox-closed-"));
      try {
        await expect(Sandbox.create({ fixture: {}, baseDir: closed })).rejects.toThrow(
          SandboxOptionError,
        );
        await expect(Sandbox.create({ fixture: {}, baseDir: closed })).rejects.toThrow(
          "not searchable by other users",
        );
      } finally {
        await rm(closed, { recursive: true, force: true });
      }
    });

    it("keeps or removes its folders on dispose", async () => {
      const kept = await Sandbox.create({ fixture: { files: { "a.txt": "a" } }, keep: true });
      await kept.dispose();
      expect(await readdir(kept.workspaceDir)).toEqual(["a.txt"]);
      await rm(kept.rootDir, { recursive: true, force: true });

      const removed = await Sandbox.create({ fixture: {} });
      await removed.dispose();
      await expect(stat(removed.rootDir)).rejects.toThrow();
    });
  },
);
