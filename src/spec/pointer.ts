/** JSON Pointer (RFC 6901) helpers. */

/** Escapes one reference token: `~` becomes `~0` and `/` becomes `~1`. */
export function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Builds a pointer from unescaped tokens; no tokens give "", the whole document. */
export function formatPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${escapePointerToken(String(token))}`).join("");
}

/** Splits a pointer into unescaped tokens, or returns undefined when it is not a pointer. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") {
    return [];
  }
  if (!pointer.startsWith("/")) {
    return undefined;
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Appends tokens to a pointer. */
export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  return base + formatPointer(tokens);
}

/**
 * Resolves a pointer in a parsed JSON value. Returns `{ found: false }` when a
 * member is absent; only own properties are followed, so `/constructor` never
 * reaches a prototype.
 */
export function resolvePointer(
  root: unknown,
  pointer: string,
): { found: boolean; value?: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens === undefined) {
    return { found: false };
  }
  let current: unknown = root;
  for (const token of tokens) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= current.length) {
        return { found: false };
      }
      current = current[Number(token)];
    } else if (isPlainObject(current)) {
      if (!Object.hasOwn(current, token)) {
        return { found: false };
      }
      current = current[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** True for a JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `pointer` is `ancestor` or lies below it. */
export function isWithinPointer(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}
