/**
 * Escaping for report strings, which are untrusted: a report may come from
 * anyone, and its text must reach the page as text, never as markup.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Characters a report string must not carry into a page: C0 controls other
 * than tab and line breaks (NUL is a parse error in HTML), DEL, C1 controls,
 * and the bidirectional embeddings, overrides and isolates. The last can make
 * a model name or a number display in another order than it is written. Each
 * becomes U+FFFD, so the tampering stays visible.
 */
const UNSAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes text for HTML element content and for quoted attribute values. All
 * five significant characters are replaced in both cases, so the same
 * function is safe in either place as long as attributes are quoted. Control
 * and bidirectional formatting characters become U+FFFD first.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(UNSAFE_TEXT, "\ufffd")
    .replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Returns a URL that may be used as a link target, or undefined. Only
 * absolute http and https URLs pass, so javascript:, data: and other schemes
 * from a report are shown as text and never become links.
 */
export function safeLinkUrl(value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return undefined;
  }
  return url.href;
}

/**
 * Renders a link to an untrusted URL: an anchor for http(s), plain escaped
 * text for anything else. Links open no referrer and carry no opener.
 */
export function linkOrText(url: string | undefined, text?: string): Markup {
  const safe = safeLinkUrl(url);
  const label = escapeHtml(text ?? url ?? "");
  if (safe === undefined) {
    return new Markup(label);
  }
  return new Markup(
    `<a href="${escapeHtml(safe)}" rel="noopener noreferrer nofollow">${label}</a>`,
  );
}

/**
 * Escapes a dotted identifier such as a metric id and allows line breaks after
 * its dots and underscores, so narrow columns wrap it at word-like places.
 */
export function breakableId(id: string): Markup {
  return new Markup(
    id
      .split(/(?<=[._])/)
      .map((part) => escapeHtml(part))
      .join("<wbr>"),
  );
}

/** Tagged template that escapes every interpolated value unless it is marked as markup. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? "");
  });
  return new Markup(out);
}

/** Markup built by this module; anything else interpolated into `html` is escaped. */
export class Markup {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** Marks trusted markup, such as SVG built from numbers, to be inserted as is. */
export function raw(text: string): Markup {
  return new Markup(text);
}

function renderValue(value: unknown): string {
  if (value instanceof Markup) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return value.map(renderValue).join("");
  }
  if (value === undefined || value === null || value === false) {
    return "";
  }
  return escapeHtml(value);
}
