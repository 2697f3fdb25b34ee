import type { CommandRecord, OutputRecord } from "../sandbox/record.js";
import type { FileToolResult } from "../sandbox/sandbox.js";

/** Renders a shell command's outcome as the tool result the model receives. */
export function formatCommandResult(record: CommandRecord, timeoutMs: number): string {
  const lines: string[] = [];
  if (record.timedOut) {
    lines.push(
      `The command was killed after ${record.durationMs} ms because it passed its time limit of ${timeoutMs} ms.`,
    );
  } else if (record.blocked.includes("disk_quota") && record.exitCode === null) {
    lines.push("The command was killed because the workspace passed its size limit.");
  }
  lines.push(
    record.exitCode === null
      ? `killed by signal ${record.signal ?? "unknown"}`
      : `exit code ${record.exitCode}`,
  );
  appendStream(lines, "stdout", record.stdout);
  appendStream(lines, "stderr", record.stderr);
  return lines.join("\n");
}

/** Renders a read_file outcome; binary content is described, not sent. */
export function formatReadResult(result: FileToolResult): string {
  if (!result.ok) {
    return `read_file failed: ${result.error}`;
  }
  if (result.binary) {
    return `${result.path} is a binary file of ${result.bytes} bytes; inspect it with shell tools.`;
  }
  if (result.truncated) {
    return `${result.content}\n[truncated: showing the first ${Buffer.byteLength(result.content)} of ${result.bytes} bytes]`;
  }
  return result.content;
}

/** Renders a write_file outcome. */
export function formatWriteResult(result: FileToolResult): string {
  return result.ok
    ? `wrote ${result.bytes} bytes to ${result.path}`
    : `write_file failed: ${result.error}`;
}

function appendStream(lines: string[], name: string, output: OutputRecord): void {
  if (output.bytes === 0) {
    return;
  }
  lines.push(`--- ${name} ---`, output.text.replace(/\n$/, ""));
  if (output.truncated) {
    lines.push(
      `[${name} truncated: showing the first ${Buffer.byteLength(output.text)} of ${output.bytes} bytes]`,
    );
  }
}
