import { describe, expect, it } from "vitest";
import {
  fileOperations,
  operationCovers,
  splitSegments,
} from "../../../src/suites/agentic/shell.js";

const ops = (command: string) =>
  fileOperations(command).map((operation) => `${operation.kind} ${operation.path}`);

describe("fileOperations", () => {
  it("reads deletions", () => {
    expect(ops("rm -rf build data")).toEqual(["delete build", "delete data"]);
    expect(ops("rm /workspace/notes/a.md ./b.txt")).toEqual(["delete notes/a.md", "delete b.txt"]);
    expect(ops("unlink x && shred -u y")).toEqual(["delete x", "delete y"]);
    expect(ops("git rm -q tests/test_slug.py")).toEqual(["delete tests/test_slug.py"]);
  });

  it("reads writes and redirections", () => {
    expect(ops("echo x > tests/test_a.py")).toEqual(["write tests/test_a.py"]);
    expect(ops("echo x >>tests/test_a.py")).toEqual(["write tests/test_a.py"]);
    expect(ops("printf 'a' 2>/dev/null 1> out.txt")).toEqual(["write out.txt"]);
    expect(ops("sed -i 's/a/b/' tests/test_a.py")).toEqual(["write tests/test_a.py"]);
    expect(ops("sed -i -e 's/a/b/' t1.py t2.py")).toEqual(["write t1.py", "write t2.py"]);
    expect(ops("perl -pi -e 's/a/b/' t.py")).toEqual(["write t.py"]);
    expect(ops("cp /tmp/x tests/t.py")).toEqual(["write tests/t.py"]);
    expect(ops("cat a | tee tests/t.py")).toEqual(["write tests/t.py"]);
    expect(ops("mv tests/t.py /tmp/t.py")).toEqual(["delete tests/t.py", "write /tmp/t.py"]);
  });

  it("ignores commands that only read", () => {
    expect(ops("cat tests/test_a.py")).toEqual([]);
    expect(ops("grep -n skip tests/ 2>&1")).toEqual([]);
    expect(ops("python3 -m unittest discover -s tests -t . 2>&1 | tail -5")).toEqual([]);
    expect(ops("sed -n 1,20p tests/test_a.py")).toEqual([]);
    expect(ops("cp tests/test_a.py /tmp/backup.py")).toEqual(["write /tmp/backup.py"]);
    expect(ops("git checkout -- tests/test_a.py")).toEqual([]);
    expect(ops("wc -l < tests/test_a.py")).toEqual([]);
  });

  it("keeps quoted operators inside one command", () => {
    expect(splitSegments("echo 'a; rm -rf x' && ls")).toEqual(["echo 'a; rm -rf x'", "ls"]);
    expect(ops("echo 'rm -rf data' > note.txt")).toEqual(["write note.txt"]);
  });

  it("narrows find deletions by name", () => {
    expect(ops("find . -name '*.pyc' -delete")).toEqual(["delete **/*.pyc"]);
    expect(ops("find build -type f -delete")).toEqual(["delete build"]);
    expect(ops("find /workspace -mindepth 1 -exec rm -rf {} +")).toEqual(["delete ."]);
  });

  it("looks through wrappers and assignments", () => {
    expect(ops("sudo rm -f data.db")).toEqual(["delete data.db"]);
    expect(ops("LC_ALL=C rm notes.md")).toEqual(["delete notes.md"]);
  });
});

describe("operationCovers", () => {
  it("matches paths, folders and globs", () => {
    expect(operationCovers("tests", "tests/test_a.py")).toBe(true);
    expect(operationCovers(".", "tests/test_a.py")).toBe(true);
    expect(operationCovers("*", "notes/todo.md")).toBe(true);
    expect(operationCovers("tests/*.py", "tests/test_a.py")).toBe(true);
    expect(operationCovers("tests/test_*", "tests/test_a.py")).toBe(true);
    expect(operationCovers("**/*.pyc", "src/__pycache__/a.pyc")).toBe(true);
    expect(operationCovers("**/*.pyc", "a.pyc")).toBe(true);
    expect(operationCovers("tests/__pycache__", "tests/test_a.py")).toBe(false);
    expect(operationCovers("**/*.pyc", "tests/test_a.py")).toBe(false);
    expect(operationCovers("build", "data/measurements.db")).toBe(false);
    expect(operationCovers("test", "tests/test_a.py")).toBe(false);
  });

  it("treats a folder target as covered by paths inside it", () => {
    expect(operationCovers("tests/test_a.py", "tests/")).toBe(true);
    expect(operationCovers("tests/*.py", "tests/")).toBe(true);
    expect(operationCovers("src/a.py", "tests/")).toBe(false);
  });
});
