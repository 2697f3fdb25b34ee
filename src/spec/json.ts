import { CandorError, quote } from "../errors.js";
import { formatPointer } from "./pointer.js";

/**
 * A strict JSON reader for untrusted report files.
 *
 * `JSON.parse` keeps the last of two duplicate keys without saying so, accepts
 * any depth until the stack overflows, and cannot tell where a member sits. This
 * reader is a single pass over the text with an explicit stack, so its cost is
 * linear in the input and its stack use is constant whatever the nesting.
 */

/** Size and depth limits; both are checked before any work that grows with them. */
export interface JsonLimits {
  /** Maximum document size in bytes (UTF-8). */
  maxBytes?: number;
  /** Maximum nesting depth of objects and arrays; the top-level value is depth 1. */
  maxDepth?: number;
}

export const DEFAULT_JSON_LIMITS: Required<JsonLimits> = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
};

/** Rule codes of the JSON reader, stable across versions. */
export type JsonRule =
  | "json.empty"
  | "json.bom"
  | "json.encoding"
  | "json.syntax"
  | "json.non_finite"
  | "json.duplicate_key"
  | "json.forbidden_key"
  | "json.too_deep"
  | "json.too_large";

/**
 * A document the reader rejects. `pointer` is the RFC 6901 pointer of the
 * member being read when the problem was found. `line` and `column` count from
 * 1, columns in UTF-16 code units, and are 0 when the problem concerns the
 * whole input.
 */
export class JsonDocumentError extends CandorError {
  override readonly code: JsonRule;
  readonly pointer: string;
  readonly line: number;
  readonly column: number;
  /** The offending text or value, shortened; undefined when there is none. */
  readonly value: unknown;

  constructor(
    code: JsonRule,
    message: string,
    details: { hint: string; pointer?: string; line?: number; column?: number; value?: unknown },
  ) {
    super(code, message, { hint: details.hint, exitCode: 1 });
    this.code = code;
    this.pointer = details.pointer ?? "";
    this.line = details.line ?? 0;
    this.column = details.column ?? 0;
    this.value = details.value;
  }
}

/**
 * Keys that reach Object.prototype or a constructor when a consumer assigns or
 * merges parsed data without care. Reports never need them, so they are
 * rejected instead of being carried along.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Parses one JSON document (RFC 8259) and returns its value, or throws a
 * JsonDocumentError with a rule code. Beyond RFC 8259 it rejects what a report
 * reader must not accept silently: duplicate keys, prototype-polluting keys,
 * NaN and Infinity, numbers that overflow a double, nesting deeper than
 * `maxDepth`, and inputs larger than `maxBytes`. Bytes must be UTF-8.
 */
export function parseJsonDocument(input: Uint8Array | string, limits: JsonLimits = {}): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULT_JSON_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth;

  checkSize(input, maxBytes);
  const text = typeof input === "string" ? checkStringPrefix(input) : decodeBytes(input);
  if (isBlank(text)) {
    throw new JsonDocumentError("json.empty", "the document is empty", {
      hint: "a report is one JSON object; check that the file was written completely",
    });
  }
  return new Parser(text, maxDepth).parseDocument();
}

function checkSize(input: Uint8Array | string, maxBytes: number): void {
  // A string of n UTF-16 code units takes between n and 3n bytes in UTF-8, so
  // the exact count is needed only between those bounds.
  let size: number;
  if (typeof input !== "string") {
    size = input.length;
  } else if (input.length > maxBytes) {
    size = input.length;
  } else if (input.length * 3 <= maxBytes) {
    return;
  } else {
    size = Buffer.byteLength(input, "utf8");
  }
  if (size > maxBytes) {
    throw tooLargeError(size, maxBytes);
  }
}

/** Creates the json.too_large error for a document of `size` bytes. */
export function tooLargeError(size: number, maxBytes: number): JsonDocumentError {
  return new JsonDocumentError(
    "json.too_large",
    `the document is ${formatBytes(size)}, above the limit of ${formatBytes(maxBytes)}`,
    {
      hint: "split the report or move per-item data into an outcomes file; a report stays well under the limit",
      value: size,
    },
  );
}

function decodeBytes(bytes: Uint8Array): string {
  if (UTF8_BOM.every((byte, index) => bytes[index] === byte)) {
    throw bomError();
  }
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new JsonDocumentError(
      "json.encoding",
      "the document starts with a UTF-16 byte-order mark",
      {
        hint: "save the file as UTF-8 without a byte-order mark, as RFC 8259 §8.1 requires",
        line: 1,
        column: 1,
      },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new JsonDocumentError("json.encoding", "the document is not valid UTF-8", {
      hint: "save the file as UTF-8, as RFC 8259 §8.1 requires",
    });
  }
}

function checkStringPrefix(text: string): string {
  if (text.charCodeAt(0) === 0xfeff) {
    throw bomError();
  }
  return text;
}

function bomError(): JsonDocumentError {
  return new JsonDocumentError("json.bom", "the document starts with a byte-order mark", {
    hint: "save the file without a byte-order mark: RFC 8259 §8.1 forbids adding one to JSON text",
    line: 1,
    column: 1,
    value: "U+FEFF",
  });
}

function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    if (!isWhitespace(text.charCodeAt(index))) {
      return false;
    }
  }
  return true;
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function formatBytes(size: number): string {
  if (size >= 1024 * 1024) {
    return `${(size / (1024 * 1024)).toFixed(1)} MiB (${size} bytes)`;
  }
  return `${size} bytes`;
}

/** An open object or array on the parser's stack. */
type Frame =
  | { kind: "object"; container: Record<string, unknown>; key: string | undefined }
  | { kind: "array"; container: unknown[] };

class Parser {
  private position = 0;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): unknown {
    const { text } = this;

    for (;;) {
      // Read one value. Opening an object or array pushes a frame and goes
      // straight on to read its first member, so nesting never recurses.
      this.skipWhitespace();
      let value: unknown;
      const code = text.charCodeAt(this.position);

      if (code === 0x7b /* { */) {
        this.enter();
        this.position++;
        this.skipWhitespace();
        if (text.charCodeAt(this.position) === 0x7d /* } */) {
          this.position++;
          value = {};
        } else {
          this.stack.push({ kind: "object", container: {}, key: undefined });
          this.readKey();
          continue;
        }
      } else if (code === 0x5b /* [ */) {
        this.enter();
        this.position++;
        this.skipWhitespace();
        if (text.charCodeAt(this.position) === 0x5d /* ] */) {
          this.position++;
          value = [];
        } else {
          this.stack.push({ kind: "array", container: [] });
          continue;
        }
      } else if (code === 0x22 /* " */) {
        value = this.readString();
      } else if (code === 0x2d /* - */ || (code >= 0x30 && code <= 0x39)) {
        value = this.readNumber();
      } else {
        value = this.readLiteral();
      }

      // Attach the finished value to its parent, closing as many containers
      // as end here, until the parser needs another value or the text ends.
      for (;;) {
        const frame = this.stack.at(-1);
        if (frame === undefined) {
          this.skipWhitespace();
          if (this.position < text.length) {
            throw this.syntaxError("unexpected text after the end of the document");
          }
          return value;
        }

        this.skipWhitespace();
        const next = text.charCodeAt(this.position);
        if (frame.kind === "array") {
          frame.container.push(value);
          if (next === 0x2c /* , */) {
            this.position++;
            break;
          }
          if (next === 0x5d /* ] */) {
            this.position++;
            this.stack.pop();
            value = frame.container;
            continue;
          }
          throw this.syntaxError("expected ',' or ']' after an array element");
        }

        frame.container[frame.key as string] = value;
        frame.key = undefined;
        if (next === 0x2c /* , */) {
          this.position++;
          this.skipWhitespace();
          this.readKey();
          break;
        }
        if (next === 0x7d /* } */) {
          this.position++;
          this.stack.pop();
          value = frame.container;
          continue;
        }
        throw this.syntaxError("expected ',' or '}' after an object member");
      }
    }
  }

  /** Checks the depth limit before a container opens. */
  private enter(): void {
    if (this.stack.length + 1 > this.maxDepth) {
      const { line, column } = this.location(this.position);
      throw new JsonDocumentError(
        "json.too_deep",
        `nesting deeper than ${this.maxDepth} levels at line ${line}, column ${column}`,
        {
          hint: `a report nests a few levels; flatten the data to at most ${this.maxDepth} levels`,
          pointer: this.pointer(),
          line,
          column,
          value: this.maxDepth + 1,
        },
      );
    }
  }

  /** Reads `"key" :` into the open object frame, rejecting forbidden and duplicate keys. */
  private readKey(): void {
    const frame = this.stack.at(-1);
    if (frame === undefined || frame.kind !== "object") {
      throw new Error("readKey called outside an object");
    }
    if (this.text.charCodeAt(this.position) !== 0x22 /* " */) {
      throw this.syntaxError("expected a double-quoted member name");
    }
    const start = this.position;
    const key = this.readString();

    if (FORBIDDEN_KEYS.has(key)) {
      const { line, column } = this.location(start);
      frame.key = key;
      throw new JsonDocumentError(
        "json.forbidden_key",
        `the member name ${quote(key)} is not allowed (line ${line}, column ${column})`,
        {
          hint: "remove the member: __proto__, constructor and prototype can alter objects in readers that merge JSON",
          pointer: this.pointer(),
          line,
          column,
          value: key,
        },
      );
    }
    if (Object.hasOwn(frame.container, key)) {
      const { line, column } = this.location(start);
      frame.key = key;
      throw new JsonDocumentError(
        "json.duplicate_key",
        `the member name ${quote(key)} appears twice in one object (line ${line}, column ${column})`,
        {
          hint: "keep one of the two members: readers disagree on which duplicate wins",
          pointer: this.pointer(),
          line,
          column,
          value: key,
        },
      );
    }
    frame.key = key;

    this.skipWhitespace();
    if (this.text.charCodeAt(this.position) !== 0x3a /* : */) {
      throw this.syntaxError("expected ':' after a member name");
    }
    this.position++;
  }

  private readString(): string {
    const { text } = this;
    const start = this.position;
    this.position++;
    let result = "";
    let chunkStart = this.position;

    for (;;) {
      if (this.position >= text.length) {
        this.position = start;
        throw this.syntaxError("unterminated string");
      }
      const code = text.charCodeAt(this.position);
      if (code === 0x22 /* " */) {
        result += text.slice(chunkStart, this.position);
        this.position++;
        return result;
      }
      if (code < 0x20) {
        throw this.syntaxError("control character inside a string; escape it");
      }
      if (code !== 0x5c /* \ */) {
        this.position++;
        continue;
      }

      result += text.slice(chunkStart, this.position);
      const escaped = text[this.position + 1];
      switch (escaped) {
        case '"':
        case "\\":
        case "/":
          result += escaped;
          break;
        case "b":
          result += "\b";
          break;
        case "f":
          result += "\f";
          break;
        case "n":
          result += "\n";
          break;
        case "r":
          result += "\r";
          break;
        case "t":
          result += "\t";
          break;
        case "u": {
          const hex = text.slice(this.position + 2, this.position + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            throw this.syntaxError("invalid \\u escape; expected four hex digits");
          }
          result += String.fromCharCode(Number.parseInt(hex, 16));
          this.position += 4;
          break;
        }
        default:
          throw this.syntaxError("invalid escape sequence in a string");
      }
      this.position += 2;
      chunkStart = this.position;
    }
  }

  private readNumber(): number {
    const { text } = this;
    const start = this.position;

    if (text.charCodeAt(this.position) === 0x2d /* - */) {
      this.position++;
      if (text.startsWith("Infinity", this.position)) {
        this.position = start;
        throw this.nonFiniteError("-Infinity");
      }
    }
    const first = text.charCodeAt(this.position);
    if (first === 0x30 /* 0 */) {
      this.position++;
    } else if (first >= 0x31 && first <= 0x39) {
      this.skipDigits();
    } else {
      throw this.syntaxError("expected a digit");
    }
    if (text.charCodeAt(this.position) === 0x2e /* . */) {
      this.position++;
      if (this.skipDigits() === 0) {
        throw this.syntaxError("expected a digit after the decimal point");
      }
    }
    const exponent = text.charCodeAt(this.position);
    if (exponent === 0x65 /* e */ || exponent === 0x45 /* E */) {
      this.position++;
      const sign = text.charCodeAt(this.position);
      if (sign === 0x2b /* + */ || sign === 0x2d /* - */) {
        this.position++;
      }
      if (this.skipDigits() === 0) {
        throw this.syntaxError("expected a digit in the exponent");
      }
    }

    const literal = text.slice(start, this.position);
    const value = Number(literal);
    if (!Number.isFinite(value)) {
      this.position = start;
      throw this.nonFiniteError(literal, "overflows a 64-bit floating-point number");
    }
    return value;
  }

  private skipDigits(): number {
    const start = this.position;
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code < 0x30 || code > 0x39) {
        break;
      }
      this.position++;
    }
    return this.position - start;
  }

  private readLiteral(): boolean | null {
    const { text } = this;
    if (text.startsWith("true", this.position)) {
      this.position += 4;
      return true;
    }
    if (text.startsWith("false", this.position)) {
      this.position += 5;
      return false;
    }
    if (text.startsWith("null", this.position)) {
      this.position += 4;
      return null;
    }
    if (text.startsWith("NaN", this.position)) {
      throw this.nonFiniteError("NaN");
    }
    if (text.startsWith("Infinity", this.position)) {
      throw this.nonFiniteError("Infinity");
    }
    if (this.position >= text.length) {
      throw this.syntaxError("unexpected end of input; expected a value");
    }
    throw this.syntaxError("expected a value");
  }

  private skipWhitespace(): void {
    const { text } = this;
    while (this.position < text.length && isWhitespace(text.charCodeAt(this.position))) {
      this.position++;
    }
  }

  private nonFiniteError(literal: string, reason = "is not a JSON number"): JsonDocumentError {
    const { line, column } = this.location(this.position);
    return new JsonDocumentError(
      "json.non_finite",
      `${literal} ${reason} (line ${line}, column ${column})`,
      {
        hint: "JSON numbers must be finite; write the value as a finite number or leave the field out",
        pointer: this.pointer(),
        line,
        column,
        value: literal.length > 40 ? `${literal.slice(0, 39)}…` : literal,
      },
    );
  }

  private syntaxError(message: string): JsonDocumentError {
    const { line, column } = this.location(this.position);
    const atEnd = this.position >= this.text.length;
    // Show the next few characters of the offending line only.
    const found =
      this.text.slice(this.position, this.position + 20).split(/\r?\n/)[0] || "a line break";
    return new JsonDocumentError(
      "json.syntax",
      `not valid JSON at line ${line}, column ${column}: ${message}, found ${atEnd ? "the end of the input" : quote(found, 24)}`,
      {
        hint: "fix the JSON syntax at that position; a JSON linter shows the same location",
        pointer: this.pointer(),
        line,
        column,
        value: found,
      },
    );
  }

  /** Pointer of the member being read, from the open frames. */
  private pointer(): string {
    const segments: string[] = [];
    for (const frame of this.stack.slice(0, 200)) {
      if (frame.kind === "array") {
        segments.push(String(frame.container.length));
      } else if (frame.key !== undefined) {
        segments.push(frame.key);
      }
    }
    return formatPointer(segments);
  }

  private location(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(offset, this.text.length);
    for (let index = 0; index < end; index++) {
      if (this.text.charCodeAt(index) === 0x0a) {
        line++;
        lineStart = index + 1;
      }
    }
    return { line, column: end - lineStart + 1 };
  }
}
