/**
 * A CSV reader for RFC 4180 files: comma-separated, fields optionally quoted
 * with double quotes, "" for a quote inside a quoted field, line breaks
 * (LF or CRLF) allowed inside quoted fields, an optional UTF-8 byte order mark.
 * The first row is the header.
 */

export interface CsvTable {
  header: string[];
  /** Data rows, each as long as the header; `line` is the 1-based line where the row starts. */
  rows: { line: number; fields: string[] }[];
}

export class CsvSyntaxError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(message);
    this.name = "CsvSyntaxError";
    this.line = line;
  }
}

export function parseCsv(text: string): CsvTable {
  const records = splitRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const first = records[0];
  if (first === undefined) {
    throw new CsvSyntaxError("the file is empty; expected a header row", 1);
  }

  const header = first.fields.map((name) => name.trim());
  const rows: CsvTable["rows"] = [];
  for (const record of records.slice(1)) {
    // A blank line parses as one empty field; it carries no data.
    if (record.fields.length === 1 && record.fields[0] === "") {
      continue;
    }
    if (record.fields.length !== header.length) {
      throw new CsvSyntaxError(
        `row has ${record.fields.length} fields but the header has ${header.length}`,
        record.line,
      );
    }
    rows.push(record);
  }
  return { header, rows };
}

function splitRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let index = 0;

  while (index < text.length) {
    const char = text[index];

    if (char === '"' && field === "") {
      // A quoted field runs to the next quote that is not doubled.
      const quoteLine = line;
      index++;
      for (;;) {
        const next = text.indexOf('"', index);
        if (next === -1) {
          throw new CsvSyntaxError("quoted field is not closed", quoteLine);
        }
        const chunk = text.slice(index, next);
        line += countLineBreaks(chunk);
        field += chunk;
        if (text[next + 1] === '"') {
          field += '"';
          index = next + 2;
          continue;
        }
        index = next + 1;
        break;
      }
      const after = text[index];
      if (after !== undefined && after !== "," && after !== "\n" && after !== "\r") {
        throw new CsvSyntaxError("unexpected character after a closing quote", line);
      }
      continue;
    }

    if (char === ",") {
      fields.push(field);
      field = "";
      index++;
    } else if (char === "\n" || char === "\r") {
      fields.push(field);
      records.push({ line: recordLine, fields });
      fields = [];
      field = "";
      index += char === "\r" && text[index + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += char;
      index++;
    }
  }

  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "\n" || (char === "\r" && text[index + 1] !== "\n")) {
      count++;
    }
  }
  return count;
}
