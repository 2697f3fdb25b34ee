/**
 * A small reader of bash command lines, for detectors that must tell the
 * program a command runs from the words it passes as arguments: `curl -O x`
 * runs curl, while `grep -rn curl .` and `echo "use curl"` only mention it.
 *
 * It splits a line into simple commands at `;`, `&`, `&&`, `||`, `|`,
 * newlines and parentheses. It removes quotes and collects redirections and
 * here documents. It also reads the commands inside `$(...)`, backticks,
 * `bash -c STRING`, `eval` and wrappers such as `sudo`, `env`, `timeout` and
 * `xargs`. It does not expand variables, globs or aliases, so a program
 * named through a variable (`$TOOL url`) is not recognised.
 */

export interface Redirect {
  /** The operator as written, for example `>`, `>>`, `2>`, `&>` or `<`. */
  op: string;
  /** The target word with quotes removed. */
  target: string;
}

export interface SimpleCommand {
  /** Program name with any leading path removed ("/usr/bin/curl" gives "curl"); empty when the command is only assignments or redirections. */
  name: string;
  /** The program as written, path included. */
  program: string;
  args: string[];
  redirects: Redirect[];
  /** Bodies of here documents and here strings fed to the command. */
  stdin: string[];
  /** Wrappers the command ran under, outermost first, for example ["sudo", "env"]. */
  wrappers: string[];
}

/** Programs that run the rest of their arguments as a command, and how many option words they take. */
const WRAPPERS: Record<string, { valueOptions: string[]; positional: number }> = {
  sudo: { valueOptions: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"], positional: 0 },
  doas: { valueOptions: ["-u", "-C"], positional: 0 },
  env: { valueOptions: ["-u", "-C", "-S"], positional: 0 },
  nohup: { valueOptions: [], positional: 0 },
  time: { valueOptions: ["-f", "-o"], positional: 0 },
  nice: { valueOptions: ["-n"], positional: 0 },
  ionice: { valueOptions: ["-c", "-n", "-p"], positional: 0 },
  timeout: { valueOptions: ["-s", "-k", "--signal", "--kill-after"], positional: 1 },
  stdbuf: { valueOptions: ["-i", "-o", "-e"], positional: 0 },
  command: { valueOptions: [], positional: 0 },
  builtin: { valueOptions: [], positional: 0 },
  exec: { valueOptions: ["-a"], positional: 0 },
  xargs: {
    valueOptions: ["-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--delimiter", "--max-args"],
    positional: 0,
  },
  setsid: { valueOptions: [], positional: 0 },
  unbuffer: { valueOptions: [], positional: 0 },
  watch: { valueOptions: ["-n", "-d"], positional: 0 },
};

/** Reserved words that can stand before a command in a compound command (`if curl …; then`). */
const RESERVED_WORDS = new Set([
  "if",
  "then",
  "else",
  "elif",
  "do",
  "while",
  "until",
  "!",
  "{",
  "}",
]);

/** Shells whose `-c STRING` argument is itself a command line. */
const SHELLS = new Set(["bash", "sh", "dash", "zsh", "ksh", "ash", "busybox"]);

/** Maximum nesting of `bash -c`, `eval` and command substitutions that is read. */
const MAX_DEPTH = 8;

/** Splits a command line into the simple commands it runs, nested ones included. */
export function parseCommandLine(line: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  collect(line, 0, commands);
  return commands;
}

function collect(line: string, depth: number, out: SimpleCommand[]): void {
  if (depth > MAX_DEPTH) {
    return;
  }
  const { segments, substitutions } = tokenize(line);
  for (const nested of substitutions) {
    collect(nested, depth + 1, out);
  }
  for (const segment of segments) {
    for (const command of unwrap(segment, [])) {
      out.push(command);
      const inner = innerCommandLine(command);
      if (inner !== undefined) {
        collect(inner, depth + 1, out);
      }
    }
  }
}

/** Returns the command line that a shell (`bash -c`, a here document) or `eval` runs, if any. */
function innerCommandLine(command: SimpleCommand): string | undefined {
  if (command.name === "eval") {
    return command.args.join(" ");
  }
  if (SHELLS.has(command.name)) {
    const index = command.args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
    if (index >= 0) {
      return command.args[index + 1];
    }
    // `bash <<EOF ... EOF` and `echo cmd | bash` read commands from stdin;
    // only the here-document form is visible in the command line.
    if (command.args.length === 0 || command.args[0] === "-s") {
      return command.stdin.join("\n");
    }
  }
  return undefined;
}

interface Segment {
  words: string[];
  redirects: Redirect[];
  stdin: string[];
}

/** Strips assignments and wrapper programs from the front of a segment. */
function unwrap(segment: Segment, wrappers: string[]): SimpleCommand[] {
  const words = [...segment.words];
  while (
    words.length > 0 &&
    (RESERVED_WORDS.has(words[0] as string) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] as string))
  ) {
    words.shift();
  }
  if (words.length === 0) {
    return [
      {
        name: "",
        program: "",
        args: [],
        redirects: segment.redirects,
        stdin: segment.stdin,
        wrappers,
      },
    ];
  }

  const program = words[0] as string;
  const name = program.slice(program.lastIndexOf("/") + 1);
  const args = words.slice(1);
  const wrapper = WRAPPERS[name];
  const self: SimpleCommand = {
    name,
    program,
    args,
    redirects: segment.redirects,
    stdin: segment.stdin,
    wrappers,
  };
  // `command -v NAME` looks a program up without running it.
  if (wrapper === undefined || (name === "command" && (args[0] === "-v" || args[0] === "-V"))) {
    return [self];
  }

  // The wrapper is reported as a command of its own, then the command it runs.
  let index = 0;
  let positional = wrapper.positional;
  while (index < args.length) {
    const arg = args[index] as string;
    if (arg === "--") {
      index += 1;
      break;
    }
    if (name === "env" && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      index += 1;
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      index += wrapper.valueOptions.includes(arg) ? 2 : 1;
      continue;
    }
    if (positional > 0) {
      positional -= 1;
      index += 1;
      continue;
    }
    break;
  }
  const rest = args.slice(index);
  if (rest.length === 0) {
    return [self];
  }
  return [
    self,
    ...unwrap({ words: rest, redirects: segment.redirects, stdin: segment.stdin }, [
      ...wrappers,
      name,
    ]),
  ];
}

const OPERATOR_CHARS = new Set([";", "&", "|", "(", ")", "\n"]);

/**
 * Splits a line into segments (simple commands before unwrapping) and the
 * command lines found inside `$(...)`, `<(...)`, `>(...)` and backticks.
 */
function tokenize(line: string): { segments: Segment[]; substitutions: string[] } {
  const segments: Segment[] = [];
  const substitutions: string[] = [];
  const pendingHeredocs: { delimiter: string; stripTabs: boolean; segment: Segment }[] = [];
  let segment: Segment = { words: [], redirects: [], stdin: [] };
  let word = "";
  let inWord = false;
  let redirectOp: string | null = null;
  let index = 0;

  const endWord = () => {
    if (!inWord) {
      return;
    }
    if (redirectOp !== null) {
      if (redirectOp === "<<<") {
        segment.stdin.push(word);
      } else if (redirectOp === "<<" || redirectOp === "<<-") {
        pendingHeredocs.push({ delimiter: word, stripTabs: redirectOp === "<<-", segment });
      } else {
        segment.redirects.push({ op: redirectOp, target: word });
      }
      redirectOp = null;
    } else {
      segment.words.push(word);
    }
    word = "";
    inWord = false;
  };
  const endSegment = () => {
    endWord();
    if (segment.words.length > 0 || segment.redirects.length > 0 || segment.stdin.length > 0) {
      segments.push(segment);
    }
    segment = { words: [], redirects: [], stdin: [] };
  };

  while (index < line.length) {
    const char = line[index] as string;

    if (char === "\\") {
      const next = line[index + 1];
      if (next === "\n") {
        index += 2;
        continue;
      }
      word += next ?? "";
      inWord = true;
      index += 2;
      continue;
    }
    if (char === "'") {
      const end = line.indexOf("'", index + 1);
      const stop = end < 0 ? line.length : end;
      word += line.slice(index + 1, stop);
      inWord = true;
      index = stop + 1;
      continue;
    }
    if (char === '"') {
      const { text, end } = readDoubleQuoted(line, index + 1, substitutions);
      word += text;
      inWord = true;
      index = end + 1;
      continue;
    }
    if (char === "`") {
      const end = line.indexOf("`", index + 1);
      const stop = end < 0 ? line.length : end;
      substitutions.push(line.slice(index + 1, stop));
      word += "$(…)";
      inWord = true;
      index = stop + 1;
      continue;
    }
    if (char === "$" && line[index + 1] === "(" && line[index + 2] === "(") {
      // Arithmetic expansion runs no command.
      const end = matchingParen(line, index + 1);
      word += line.slice(index, end + 1);
      inWord = true;
      index = end + 1;
      continue;
    }
    if ((char === "$" || char === "<" || char === ">") && line[index + 1] === "(") {
      const end = matchingParen(line, index + 1);
      substitutions.push(line.slice(index + 2, end));
      word += "$(…)";
      inWord = true;
      index = end + 1;
      continue;
    }
    if (char === "#" && !inWord) {
      const end = line.indexOf("\n", index);
      index = end < 0 ? line.length : end;
      continue;
    }
    if (char === " " || char === "\t") {
      endWord();
      index += 1;
      continue;
    }

    const redirect = /^(?:[0-9]*(?:>>|>&|>\||<<<|<<-|<<|<>|<&|>|<)|&>>|&>)/.exec(line.slice(index));
    if (redirect !== null && (!inWord || /^[0-9]+$/.test(word))) {
      // A leading file-descriptor number belongs to the operator, not to a word.
      word = "";
      inWord = false;
      const op = redirect[0];
      index += redirect[0].length;
      // `2>&1` and `>&2` duplicate a descriptor; they name no file.
      const duplicate = /^(?:[0-9]+|-)/.exec(line.slice(index));
      if (op.endsWith("&") && duplicate !== null) {
        index += duplicate[0].length;
        continue;
      }
      redirectOp = op;
      while (line[index] === " " || line[index] === "\t") {
        index += 1;
      }
      continue;
    }

    if (OPERATOR_CHARS.has(char)) {
      endSegment();
      if (char === "\n" && pendingHeredocs.length > 0) {
        index = readHeredocs(line, index + 1, pendingHeredocs);
        pendingHeredocs.length = 0;
        continue;
      }
      index += 1;
      continue;
    }

    word += char;
    inWord = true;
    index += 1;
  }
  endSegment();
  return { segments, substitutions };
}

/** Reads a double-quoted string from `start` (after the quote); returns its text and the closing quote's index. */
function readDoubleQuoted(
  line: string,
  start: number,
  substitutions: string[],
): { text: string; end: number } {
  let text = "";
  let index = start;
  while (index < line.length && line[index] !== '"') {
    const char = line[index] as string;
    if (char === "\\" && index + 1 < line.length) {
      const next = line[index + 1] as string;
      // Inside double quotes a backslash escapes only " \ $ ` and a newline,
      // which it removes as a line continuation.
      if ('"\\$`'.includes(next)) {
        text += next;
      } else if (next !== "\n") {
        text += `\\${next}`;
      }
      index += 2;
      continue;
    }
    if (char === "$" && line[index + 1] === "(" && line[index + 2] !== "(") {
      const end = matchingParen(line, index + 1);
      substitutions.push(line.slice(index + 2, end));
      text += "$(…)";
      index = end + 1;
      continue;
    }
    if (char === "`") {
      const end = line.indexOf("`", index + 1);
      const stop = end < 0 ? line.length : end;
      substitutions.push(line.slice(index + 1, stop));
      text += "$(…)";
      index = stop + 1;
      continue;
    }
    text += char;
    index += 1;
  }
  return { text, end: index };
}

/** Index of the parenthesis that closes the one at `open`, or the line's length when none does. */
function matchingParen(line: string, open: number): number {
  let depth = 0;
  let index = open;
  while (index < line.length) {
    const char = line[index];
    if (char === "\\") {
      index += 2;
      continue;
    }
    if (char === "'") {
      const end = line.indexOf("'", index + 1);
      index = end < 0 ? line.length : end + 1;
      continue;
    }
    if (char === '"') {
      const { end } = readDoubleQuoted(line, index + 1, []);
      index = end + 1;
      continue;
    }
    if (char === "(") {
      depth += 1;
    } else if (char === ")") {
      depth -= 1;
      if (depth === 0) {
        return index;
      }
    }
    index += 1;
  }
  return line.length;
}

/** Reads the bodies of the pending here documents, which start on the line after their command. */
function readHeredocs(
  line: string,
  start: number,
  pending: { delimiter: string; stripTabs: boolean; segment: Segment }[],
): number {
  let index = start;
  for (const heredoc of pending) {
    const body: string[] = [];
    while (index < line.length) {
      const end = line.indexOf("\n", index);
      const stop = end < 0 ? line.length : end;
      const text = line.slice(index, stop);
      index = stop + 1;
      const compared = heredoc.stripTabs ? text.replace(/^\t+/, "") : text;
      if (compared === heredoc.delimiter) {
        break;
      }
      body.push(text);
    }
    heredoc.segment.stdin.push(body.join("\n"));
  }
  return Math.min(index, line.length);
}
