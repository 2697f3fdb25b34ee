import type { StateDiff } from "../sandbox/diff.js";
import type { StoredAgentSample } from "./stored.js";
import type { AgentRun, TranscriptEntry } from "./transcript.js";

/** Renders one line per stored sample: id, outcome, steps, commands, blocks and changes. */
export function renderSampleList(samples: StoredAgentSample[]): string {
  const lines = ["sample\tstatus\tend\tsteps\tcommands\tblocked\tfiles +/~/-\thistory rewritten"];
  for (const sample of samples) {
    const run = sample.run;
    if (run === undefined) {
      lines.push(`${sample.id}\terror\t-\t-\t-\t-\t-\t-`);
      continue;
    }
    const summary = run.diff.summary;
    lines.push(
      [
        sample.id,
        "done",
        run.endReason,
        run.steps,
        run.record.commands.length,
        run.record.blocked.length,
        `${summary.filesCreated}/${summary.filesChanged}/${summary.filesDeleted}`,
        summary.historyRewritten ? "yes" : "no",
      ].join("\t"),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Renders a stored agentic run for reading: the outcome, the transcript, the
 * command record with every blocked attempt, and the state diff. Texts longer
 * than `maxChars` are cut (0 shows everything); `--json` gives the full data.
 */
export function renderAgentRun(id: string, run: AgentRun, maxChars: number): string {
  const cut = (text: string) =>
    maxChars > 0 && text.length > maxChars
      ? `${text.slice(0, maxChars)}… [${text.length - maxChars} more characters]`
      : text;
  const indent = (text: string, prefix: string) =>
    cut(text)
      .split("\n")
      .map((line) => `${prefix}${line}`)
      .join("\n");

  const out: string[] = [];
  out.push(
    `sample ${id}: task ${run.taskId}, provider ${run.provider}, model ${run.model ?? "none"}`,
  );
  out.push(
    `ended by ${run.endReason} after ${run.steps} step(s) in ${(run.durationMs / 1000).toFixed(1)} s; ` +
      `tokens in ${run.usage.inputTokens}, out ${run.usage.outputTokens}`,
  );
  if (run.error !== undefined) {
    out.push(`model error ${run.error.code}: ${run.error.message}`);
  }
  out.push(run.report === null ? "report: none" : `report:\n${indent(run.report, "  ")}`);

  out.push("", "Transcript");
  for (const entry of run.transcript) {
    out.push(renderEntry(entry, indent));
  }

  out.push("", `Commands (${run.record.commands.length})`);
  for (const command of run.record.commands) {
    const status = command.timedOut
      ? "timed out"
      : command.exitCode === null
        ? `killed by ${command.signal ?? "a signal"}`
        : `exit ${command.exitCode}`;
    const blocked = command.blocked.length > 0 ? ` [blocked: ${command.blocked.join(", ")}]` : "";
    out.push(`  #${command.index} ${command.tool} ${status}, ${command.durationMs} ms${blocked}`);
    out.push(indent(command.command, "     $ "));
    out.push(
      `     stdout ${command.stdout.bytes} bytes${command.stdout.truncated ? " (truncated)" : ""}, ` +
        `stderr ${command.stderr.bytes} bytes${command.stderr.truncated ? " (truncated)" : ""}`,
    );
  }

  out.push("", `Blocked attempts (${run.record.blocked.length})`);
  for (const attempt of run.record.blocked) {
    const where =
      attempt.commandIndex === null ? "rejected before running" : `#${attempt.commandIndex}`;
    out.push(`  ${where} ${attempt.tool} ${attempt.kind}: ${attempt.evidence}`);
  }

  out.push("", "State diff", ...renderDiff(run.diff));
  return `${out.join("\n")}\n`;
}

function renderEntry(
  entry: TranscriptEntry,
  indent: (text: string, prefix: string) => string,
): string {
  switch (entry.type) {
    case "system":
    case "user":
      return `  [${entry.type}]\n${indent(entry.content, "    ")}`;
    case "assistant": {
      const lines = [
        `  step ${entry.step}: assistant (${entry.durationMs} ms, ${entry.finishReason})`,
      ];
      if (entry.reasoning !== undefined && entry.reasoning !== "") {
        lines.push(indent(entry.reasoning, "    (reasoning) "));
      }
      if (entry.content !== "") {
        lines.push(indent(entry.content, "    "));
      }
      for (const call of entry.toolCalls) {
        const args =
          call.argumentsError === undefined
            ? JSON.stringify(call.arguments)
            : `invalid JSON: ${call.argumentsError}`;
        lines.push(indent(`-> ${call.name} ${args}`, "    "));
      }
      return lines.join("\n");
    }
    case "tool_result": {
      const where = entry.commandIndex === null ? "" : ` #${entry.commandIndex}`;
      const status = entry.isError ? ", error" : "";
      return `    <- ${entry.name}${where} (${entry.durationMs} ms${status})\n${indent(entry.content, "       ")}`;
    }
  }
}

function renderDiff(diff: StateDiff): string[] {
  const lines: string[] = [];
  const { files } = diff;
  lines.push(
    `  files: ${files.created.length} created, ${files.changed.length} changed, ${files.deleted.length} deleted`,
  );
  for (const change of files.created) {
    const target = change.after?.type === "symlink" ? ` -> ${change.after.target ?? ""}` : "";
    lines.push(`    + ${change.path} (${change.after?.size ?? 0} bytes)${target}`);
  }
  for (const change of files.changed) {
    lines.push(
      `    ~ ${change.path} (${change.before?.size ?? 0} -> ${change.after?.size ?? 0} bytes)`,
    );
  }
  for (const change of files.deleted) {
    lines.push(`    - ${change.path} (${change.before?.size ?? 0} bytes)`);
  }

  const git = diff.git;
  if (git === null) {
    lines.push("  git: no repository");
  } else {
    const head = (side: { ref: string | null; commit: string | null }) =>
      `${side.ref ?? "detached"} ${side.commit?.slice(0, 7) ?? "none"}`;
    lines.push(`  git: HEAD ${head(git.headBefore)} -> ${head(git.headAfter)}`);
    if (!git.repositoryAfter) {
      lines.push("    the repository was removed");
    }
    for (const ref of git.refs) {
      const notes = [
        ref.historyRewritten ? "history rewritten" : "",
        ref.fastForward === true ? "fast-forward" : "",
        ref.oldTipReachable === false ? "old tip unreachable" : "",
      ].filter((note) => note !== "");
      const span = `${ref.before?.slice(0, 7) ?? "none"} -> ${ref.after?.slice(0, 7) ?? "none"}`;
      lines.push(
        `    ${ref.ref} ${ref.change} ${span}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`,
      );
    }
    for (const log of git.reflogs) {
      const state = log.deleted ? "deleted" : log.rewritten ? "rewritten" : `+${log.added.length}`;
      lines.push(
        `    reflog ${log.ref}: ${state} (${log.entriesBefore} -> ${log.entriesAfter} entries)`,
      );
      for (const entry of log.added.slice(0, 10)) {
        lines.push(`      ${entry.message}`);
      }
    }
    for (const change of git.uncommittedDiscarded) {
      lines.push(`    uncommitted change discarded: ${change.path} (${change.how})`);
    }
    for (const change of git.controlFiles) {
      lines.push(
        `    .git/${change.path} ${change.before === null ? "created" : change.after === null ? "deleted" : "changed"}`,
      );
    }
  }

  for (const db of diff.databases) {
    lines.push(
      `  database ${db.path}: ${db.existsAfter ? "present" : "removed"}${db.error === undefined ? "" : ` (${db.error})`}`,
    );
    for (const table of db.tables) {
      lines.push(
        `    ${table.table} ${table.change}: ${table.rowsBefore ?? "-"} -> ${table.rowsAfter ?? "-"} rows`,
      );
    }
  }
  for (const log of diff.logs) {
    lines.push(
      `  log ${log.path} ${log.change} (${log.sizeBefore ?? "-"} -> ${log.sizeAfter ?? "-"} bytes)`,
    );
  }
  for (const change of diff.home ?? []) {
    lines.push(
      `  home ~/${change.path} ${change.change} (${change.before?.size ?? "-"} -> ${change.after?.size ?? "-"} bytes)`,
    );
  }
  return lines;
}
