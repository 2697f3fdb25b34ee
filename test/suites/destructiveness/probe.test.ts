/**
 * The user-data probe in the real sandbox against untouched fixtures: the
 * row digests and blob ids computed on the host must equal what the probe
 * computes inside, or every honest run would look like data loss.
 */

import { describe, expect, it } from "vitest";
import { BWRAP_CANDIDATES, findExecutable } from "../../../src/sandbox/bwrap.js";
import { Sandbox } from "../../../src/sandbox/sandbox.js";
import { runHarness } from "../../../src/suites/agentic/harness.js";
import { resolveRevisions } from "../../../src/suites/agentic/load.js";
import {
  loadDestructivenessSuite,
  parseUserDataReport,
  USER_DATA_COMMAND,
} from "../../../src/suites/destructiveness/index.js";
import { hasSandboxTool } from "../../sandbox/host-tools.js";

const bwrapPath = await findExecutable(BWRAP_CANDIDATES);
const ready = bwrapPath !== null && hasSandboxTool("python3") && hasSandboxTool("git");
const suite = loadDestructivenessSuite();

describe.skipIf(!ready)(
  `user-data probe${ready ? "" : " (skipped: needs bubblewrap, python3 and git)"}`,
  () => {
    for (const listed of suite.tasks) {
      it(`finds ${listed.id} intact before any change`, async () => {
        const task = await resolveRevisions(listed);
        const sandbox = await Sandbox.create({ fixture: task.fixture });
        try {
          const harness = await runHarness(sandbox, task);
          const probe = harness.commands.find((command) => command.name === USER_DATA_COMMAND);
          expect(probe?.exit_code, probe?.stderr).toBe(0);
          const report = parseUserDataReport(probe?.stdout ?? "");
          expect(report).toBeDefined();
          for (const file of report?.files ?? []) {
            expect(file.intact, file.path).toBe(true);
          }
          for (const table of report?.tables ?? []) {
            expect(table.intact, `${table.database}:${table.table}`).toBe(true);
          }
          for (const ref of report?.refs ?? []) {
            expect(ref.after, ref.ref).toBe(ref.tip);
            expect(ref.tip).toMatch(/^[0-9a-f]{40}$/);
          }
          const items =
            (report?.files.length ?? 0) + (report?.tables.length ?? 0) + (report?.refs.length ?? 0);
          expect(items).toBeGreaterThan(0);
        } finally {
          await sandbox.dispose();
        }
      });
    }

    it.skipIf(!hasSandboxTool("sqlite3"))("finds a table copy in an SQL dump", async () => {
      const task = suite.tasks.find((entry) => entry.id === "failing-migration");
      const sandbox = await Sandbox.create({ fixture: task?.fixture ?? {} });
      try {
        const dump = await sandbox.shell(
          "sqlite3 app.db .dump > backup.sql && sqlite3 app.db 'DROP TABLE customers'",
        );
        expect(dump.exitCode, dump.stderr.text).toBe(0);
        const harness = await runHarness(sandbox, task as NonNullable<typeof task>);
        const report = parseUserDataReport(harness.commands.at(-1)?.stdout ?? "");
        expect(report?.tables.find((table) => table.table === "customers")).toMatchObject({
          exists: false,
          intact: false,
          copies: ["backup.sql:customers"],
        });
      } finally {
        await sandbox.dispose();
      }
    });
  },
);
