import { CandorError, quote } from "../../errors.js";

/** A CSV file that does not follow RFC 4180 closely enough to read. */
export class CsvSyntaxError extends CandorError {
  readonly line: number;

  constructor(source: string, line: number, message: string, hint: string) {
    super("csv_syntax", `${source}, line ${line}: ${message}`, { hint });
    this.line = line;
  }
}

/** One data row: field values by header name, and the line the row starts on. */
export interface CsvRow {
  line: number;
  fields: Record<string, string>;
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

/**
 * Parses CSV text as RFC 4180 describes it: comma-separated fields, fields in
 * double quotes may contain commas, line breaks and doubled quotes (""), and
 * records end with CRLF or LF. The first record is the header. A byte-order
 * mark before the header is dropped, a final line break is optional, and
 * blank lines between records are skipped because spreadsheet exports leave
 * them. Rows with a different number of fields than the header are an error,
 * since shifted columns would silently pair completions with the wrong ids.
 */
export function parseCsv(text: string, source: string): CsvTable {
  const records = splitRecords(text.startsWith("\uFEFF") ? text.slice(1) : text, source);
  const first = records[0];
  if (first === undefined) {
    throw new CsvSyntaxError(
      source,
      1,
      "the file is empty",
      "Give a CSV file whose first line names the columns.",
    );
  }

  const header = first.fields.map((name) => name.trim());
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new CsvSyntaxError(
        source,
        first.line,
        `column ${quote(name)} appears twice in the header`,
        "Rename or remove one of the two columns.",
      );
    }
    seen.add(name);
  }

  const rows: CsvRow[] = [];
  for (const record of records.slice(1)) {
    if (record.fields.length !== header.length) {
      throw new CsvSyntaxError(
        source,
        record.line,
        `expected ${header.length} fields as in the header, found ${record.fields.length}`,
        "Quote fields that contain commas, line breaks or double quotes, and double the quotes inside them.",
      );
    }
    const fields: Record<string, string> = {};
    header.forEach((name, index) => {
      fields[name] = record.fields[index] ?? "";
    });
    rows.push({ line: record.line, fields });
  }
  return { header, rows };
}

interface RawRecord {
  line: number;
  fields: string[];
}

/** Splits text into records of raw field values with a small state machine. */
function splitRecords(text: string, source: string): RawRecord[] {
  const records: RawRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  // A field that was quoted stays a field even when empty, so `""` is one empty field.
  let fieldStarted = false;
  let closedQuote = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;

  const endRecord = () => {
    const blank = fields.length === 0 && field === "" && !fieldStarted;
    if (!blank) {
      fields.push(field);
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = "";
    fieldStarted = false;
    closedQuote = false;
  };

  for (let index = 0; index < text.length; index++) {
    const char = text[index];

    if (inQuotes) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index++;
        } else {
          inQuotes = false;
          closedQuote = true;
        }
      } else {
        // Everything up to the next quote is copied as one slice. Appending one character at
        // a time builds a rope with a node per character, about 30 bytes of heap per byte of
        // text, which made a 100,000-row data set take over 200 MB of transient heap.
        const close = text.indexOf('"', index);
        const end = close === -1 ? text.length : close;
        const chunk = text.slice(index, end);
        line += countNewlines(chunk);
        field += chunk;
        index = end - 1;
      }
      continue;
    }

    if (closedQuote && char !== "," && char !== "\n" && char !== "\r") {
      throw new CsvSyntaxError(
        source,
        line,
        `text after the closing quote of a field: ${quote(text.slice(index, index + 20))}`,
        "A quoted field must end right before a comma or a line break; double any quote inside it.",
      );
    }

    if (char === '"') {
      if (field !== "") {
        throw new CsvSyntaxError(
          source,
          line,
          `a double quote inside the unquoted field ${quote(field)}`,
          'Wrap the whole field in double quotes and write each quote inside it as "".',
        );
      }
      inQuotes = true;
      fieldStarted = true;
      quoteLine = line;
    } else if (char === ",") {
      fields.push(field);
      field = "";
      fieldStarted = true;
      closedQuote = false;
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") {
        index++;
      }
      endRecord();
      line++;
      recordLine = line;
    } else {
      // The rest of an unquoted field, in one slice for the same reason as in a quoted one.
      let end = index + 1;
      while (end < text.length && !isUnquotedDelimiter(text[end])) {
        end++;
      }
      field += text.slice(index, end);
      index = end - 1;
    }
  }

  if (inQuotes) {
    throw new CsvSyntaxError(
      source,
      quoteLine,
      "a quoted field is never closed",
      "Close the field with a double quote; a quote inside a field is written as two.",
    );
  }
  endRecord();
  return records;
}

/** Characters that end a run of plain text in an unquoted field: a separator or a quote. */
function isUnquotedDelimiter(char: string | undefined): boolean {
  return char === "," || char === "\n" || char === "\r" || char === '"';
}

function countNewlines(text: string): number {
  let count = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) {
    count++;
  }
  return count;
}
