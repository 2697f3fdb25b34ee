/**
 * Reads which workspace paths a shell command deletes or writes, from the
 * command text alone. Detectors use it on the command record to catch
 * changes the final workspace no longer shows (a test edited and restored,
 * a file deleted and written again). It recognises the common programs and
 * redirections. A change made another way (a script, an editor, a
 * language's file API) is seen only through the state diff.
 */

/** A path a command deletes or writes. */
export interface PathOperation {
  kind: "delete" | "write";
  /** Workspace-relative path as written, possibly with glob characters; "." for the whole workspace. */
  path: string;
  program: string;
  /** The simple command it was read from. */
  segment: string;
}

const WORKSPACE_PREFIX = "/workspace/";

/** Programs whose path arguments are all deleted. */
const DELETERS = new Set(["rm", "unlink", "shred", "rmdir"]);
/** Programs that write their last path argument. */
const COPIERS = new Set(["cp", "install", "ln", "rsync"]);
/** Programs that write every path argument. */
const WRITERS = new Set(["truncate", "tee"]);
/** Programs that only pass their arguments to another program. */
const WRAPPERS = new Set(["sudo", "command", "env", "nice", "nohup", "time", "builtin", "exec"]);

/** Lists the deletions and writes of each simple command in a shell command line. */
export function fileOperations(command: string): PathOperation[] {
  const operations: PathOperation[] = [];
  for (const segment of splitSegments(command)) {
    const words = tokenize(segment);
    const { args, redirects } = splitRedirects(words);
    for (const target of redirects) {
      operations.push({ kind: "write", path: normalizePath(target), program: ">", segment });
    }

    let index = 0;
    while (
      index < args.length &&
      (/^\w+=/.test(args[index] as string) || WRAPPERS.has(args[index] as string))
    ) {
      index += 1;
    }
    const program = basename(args[index] ?? "");
    const rest = args.slice(index + 1);
    const operands = rest.filter((arg) => !arg.startsWith("-"));
    const add = (kind: PathOperation["kind"], path: string) =>
      operations.push({ kind, path: normalizePath(path), program, segment });

    if (DELETERS.has(program)) {
      for (const path of operands) {
        add("delete", path);
      }
    } else if (program === "mv") {
      const target = operands.at(-1);
      for (const path of operands.slice(0, -1)) {
        add("delete", path);
      }
      if (target !== undefined && operands.length > 1) {
        add("write", target);
      }
    } else if (COPIERS.has(program)) {
      const target = operands.at(-1);
      if (target !== undefined && operands.length > 1) {
        add("write", target);
      }
    } else if (WRITERS.has(program)) {
      for (const path of operands) {
        add("write", path);
      }
    } else if ((program === "sed" || program === "perl") && rest.some(isInPlaceOption)) {
      // The first operand is the script, given alone or after -e.
      for (const path of operands.slice(1)) {
        add("write", path);
      }
    } else if (program === "find" && (rest.includes("-delete") || /-exec\s+rm\b/.test(segment))) {
      add("delete", findTarget(rest));
    } else if (program === "git" && rest[0] === "rm") {
      // git clean and git reset are left to the state diff: which files they
      // remove depends on what is tracked, which the command text does not show.
      for (const path of rest.slice(1).filter((arg) => !arg.startsWith("-") && arg !== "--")) {
        add("delete", path);
      }
    }
  }
  return operations;
}

/**
 * Reports whether an operation's path (which may be ".", a folder, or a
 * glob) covers a workspace path: the same path, a folder containing it, or
 * a glob matching it or one of its parent folders. `target` names a folder
 * when it ends with "/".
 */
export function operationCovers(operationPath: string, target: string): boolean {
  const folder = target.endsWith("/");
  const plain = target.replace(/\/+$/, "");
  const path = operationPath.replace(/\/+$/, "");
  if (path === "." || path === "" || path === "*" || path === "/workspace") {
    return true;
  }
  if (path === plain || plain.startsWith(`${path}/`)) {
    return true;
  }
  if (folder && path.startsWith(`${plain}/`)) {
    return true;
  }
  if (/[*?[]/.test(path)) {
    const pattern = globToRegExp(path);
    const parts = plain.split("/");
    for (let length = 1; length <= parts.length; length++) {
      if (pattern.test(parts.slice(0, length).join("/"))) {
        return true;
      }
    }
    // A glob inside a protected folder, such as tests/*.py for tests/.
    if (folder && pattern.source.startsWith(`^${escapeRegExp(plain)}/`)) {
      return true;
    }
  }
  return false;
}

/**
 * Returns what a deleting find covers: its start folder, or a glob below it
 * when a -name or -path test narrows the deletion.
 */
function findTarget(args: string[]): string {
  const root = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : ".";
  const base = root.replace(/\/+$/, "");
  for (let index = 1; index < args.length; index++) {
    const test = args[index];
    const value = args[index + 1];
    if (value === undefined) {
      break;
    }
    if (test === "-name" || test === "-iname") {
      return `${base}/**/${value}`;
    }
    if (test === "-path" || test === "-ipath") {
      return value;
    }
  }
  return root;
}

function isInPlaceOption(arg: string): boolean {
  return arg === "--in-place" || arg.startsWith("--in-place=") || /^-[a-zA-Z]*i/.test(arg);
}

/** Splits a command line at ;, &&, ||, | and newlines, outside quotes. */
export function splitSegments(command: string): string[] {
  const segments: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let index = 0; index < command.length; index++) {
    const char = command[index] as string;
    if (quote !== null) {
      current += char;
      if (char === quote) {
        quote = null;
      } else if (char === "\\" && quote === '"') {
        current += command[index + 1] ?? "";
        index += 1;
      }
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      current += char;
    } else if (
      char === ";" ||
      char === "\n" ||
      char === "|" ||
      (char === "&" && command[index + 1] === "&")
    ) {
      if (current.trim() !== "") {
        segments.push(current.trim());
      }
      current = "";
      if ((char === "&" || char === "|") && command[index + 1] === char) {
        index += 1;
      }
    } else {
      current += char;
    }
  }
  if (current.trim() !== "") {
    segments.push(current.trim());
  }
  return segments;
}

/** Splits one simple command into words, removing quotes. */
function tokenize(segment: string): string[] {
  const words: string[] = [];
  let current = "";
  let started = false;
  let quote: string | null = null;
  for (let index = 0; index < segment.length; index++) {
    const char = segment[index] as string;
    if (quote !== null) {
      if (char === quote) {
        quote = null;
      } else if (char === "\\" && quote === '"' && index + 1 < segment.length) {
        current += segment[index + 1];
        index += 1;
      } else {
        current += char;
      }
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) {
        words.push(current);
      }
      current = "";
      started = false;
    } else if (char === ">" || char === "<") {
      if (started) {
        // A file descriptor number directly before the operator belongs to it.
        if (/^\d+$/.test(current)) {
          current += char;
        } else {
          words.push(current);
          current = char;
        }
      } else {
        current = char;
      }
      while (
        segment[index + 1] === ">" ||
        segment[index + 1] === "|" ||
        segment[index + 1] === "&"
      ) {
        current += segment[index + 1];
        index += 1;
      }
      words.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) {
    words.push(current);
  }
  return words;
}

/** Separates output redirections (and their targets) from a command's words. */
function splitRedirects(words: string[]): { args: string[]; redirects: string[] } {
  const args: string[] = [];
  const redirects: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    if (/^\d*(>|>>|>\||&>|&>>)$/.test(word)) {
      const target = words[index + 1];
      index += 1;
      if (target !== undefined && !target.startsWith("&") && target !== "/dev/null") {
        redirects.push(target);
      }
    } else if (/^\d*(>&|<|<<|<<<)/.test(word)) {
      // Input redirections and descriptor copies write no file; their operand is skipped.
      if (/^\d*(<|<<|<<<)$/.test(word)) {
        index += 1;
      }
    } else {
      args.push(word);
    }
  }
  return { args, redirects };
}

function normalizePath(path: string): string {
  let normalized = path;
  if (normalized === "/workspace") {
    return ".";
  }
  if (normalized.startsWith(WORKSPACE_PREFIX)) {
    normalized = normalized.slice(WORKSPACE_PREFIX.length);
  }
  while (normalized.startsWith("./")) {
    normalized = normalized.slice(2);
  }
  return normalized === "" ? "." : normalized;
}

function basename(program: string): string {
  return program.slice(program.lastIndexOf("/") + 1);
}

function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index] as string;
    if (char === "*") {
      if (glob[index + 1] === "*" && glob[index + 2] === "/") {
        // "**/" matches any number of folders, none included.
        source += "(?:.*/)?";
        index += 2;
      } else if (glob[index + 1] === "*") {
        source += ".*";
        index += 1;
      } else {
        source += "[^/]*";
      }
    } else if (char === "?") {
      source += "[^/]";
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
