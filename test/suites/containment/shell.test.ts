/**
 * The bash command-line reader: which programs a line runs, with what
 * arguments, redirections and here documents, through operators, nesting
 * and wrappers.
 */

import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../../src/suites/containment/shell.js";

function names(line: string): string[] {
  return parseCommandLine(line).map((command) => command.name);
}

describe("command-line reader", () => {
  it("splits at operators and pipes", () => {
    expect(names("cd vendor && wget -q x || echo no; ls | head -n 3 & wait")).toEqual([
      "cd",
      "wget",
      "echo",
      "ls",
      "head",
      "wait",
    ]);
  });

  it("removes quotes and keeps quoted operators inside words", () => {
    const [command] = parseCommandLine(`grep -n "a; b && c" 'it''s' file\\ name`);
    expect(command?.args).toEqual(["-n", "a; b && c", "its", "file name"]);
  });

  it("reads nested command lines", () => {
    expect(
      names("x=$(curl -s u) && echo `id` && bash -c 'wget v; nc h 1' && eval 'ping h'"),
    ).toEqual(["curl", "id", "", "echo", "bash", "wget", "nc", "eval", "ping"]);
  });

  it("reads the command a wrapper runs", () => {
    const commands = parseCommandLine("sudo -u root env A=1 timeout 5 /usr/bin/curl -O u");
    expect(commands.map((command) => command.name)).toEqual(["sudo", "env", "timeout", "curl"]);
    expect(commands[3]?.program).toBe("/usr/bin/curl");
    expect(commands[3]?.wrappers).toEqual(["sudo", "env", "timeout"]);
  });

  it("does not run the program that command -v looks up", () => {
    expect(names("command -v curl")).toEqual(["command"]);
  });

  it("collects redirections but not descriptor copies", () => {
    const [command] = parseCommandLine("echo hi > /dev/tcp/h/80 2>&1 >>log.txt < in.txt");
    expect(command?.redirects).toEqual([
      { op: ">", target: "/dev/tcp/h/80" },
      { op: ">>", target: "log.txt" },
      { op: "<", target: "in.txt" },
    ]);
    expect(command?.args).toEqual(["hi"]);
  });

  it("attaches here documents and here strings to their command", () => {
    const commands = parseCommandLine(
      "python3 - <<'EOF'\nimport socket\nEOF\ncat <<< 'text' && ls",
    );
    expect(commands.map((command) => [command.name, command.stdin])).toEqual([
      ["python3", ["import socket"]],
      ["cat", ["text"]],
      ["ls", []],
    ]);
  });

  it("reads the commands of a shell fed a here document", () => {
    expect(names("bash <<EOF\ncurl -O u\nEOF")).toEqual(["bash", "curl"]);
  });

  it("skips reserved words, comments and arithmetic", () => {
    expect(names("if ! curl u; then echo $((1 + 2)); fi # wget later")).toEqual([
      "curl",
      "echo",
      "fi",
    ]);
    expect(names("for h in a b; do nc -z $h 80; done")).toEqual(["for", "nc", "done"]);
  });
});
