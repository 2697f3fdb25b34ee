/**
 * Base class of every error the library throws on purpose.
 *
 * `code` is stable and machine-readable, and `hint` tells the caller what to
 * do next. The CLI prints `message` and `hint` and maps the class to an exit code;
 * any other error is a bug and is reported as one.
 */
export class CandorError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  /** Exit code the CLI uses for this error; 2 (usage or I/O) when unset. */
  readonly exitCode: 1 | 2 | undefined;

  constructor(
    code: string,
    message: string,
    options?: { hint?: string; cause?: unknown; exitCode?: 1 | 2 },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
    this.exitCode = options?.exitCode;
  }
}

/** Invalid command-line usage or option value: exit code 2. */
export class UsageError extends CandorError {
  constructor(message: string, hint?: string) {
    super("usage", message, hint === undefined ? undefined : { hint });
  }
}

/** A file or folder that cannot be read or written: exit code 2. */
export class InputOutputError extends CandorError {
  readonly path: string;

  constructor(
    code: string,
    path: string,
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(code, message, options);
    this.path = path;
  }
}

/** Quotes a value for an error message, shortening long or multi-line values. */
export function quote(value: unknown, maxLength = 80): string {
  let text: string;
  if (typeof value === "number" || typeof value === "bigint" || value === undefined) {
    // JSON.stringify turns NaN and Infinity into null, which would hide the bad value.
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length > maxLength) {
    text = `${text.slice(0, maxLength - 1)}…`;
  }
  return text;
}
