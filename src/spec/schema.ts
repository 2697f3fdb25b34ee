import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { quote } from "../errors.js";
import { SPEC_DIR } from "../paths.js";
import { createAjv } from "./ajv.js";
import {
  formatPointer,
  isPlainObject,
  joinPointer,
  parsePointer,
  resolvePointer,
} from "./pointer.js";
import { type Problem, shortenValue } from "./problem.js";

export const REPORT_SCHEMA_PATH = join(SPEC_DIR, "schema", "report.schema.json");

type SchemaNode = Record<string, unknown>;

let reportSchema: SchemaNode | undefined;
const validators = new Map<"strict" | "lenient", ValidateFunction>();

function loadReportSchema(): SchemaNode {
  reportSchema ??= JSON.parse(readFileSync(REPORT_SCHEMA_PATH, "utf8")) as SchemaNode;
  return reportSchema;
}

/**
 * Returns the compiled report schema. The lenient validator removes members
 * the schema does not define instead of reporting them, as readers of a newer
 * minor version must; it mutates the value it checks.
 */
function reportValidator(mode: "strict" | "lenient"): ValidateFunction {
  let validator = validators.get(mode);
  if (validator === undefined) {
    validator = createAjv({ removeAdditional: mode === "lenient" }).compile(loadReportSchema());
    validators.set(mode, validator);
  }
  return validator;
}

/** Outcome of schema validation: problems, and the raw instance paths that failed. */
export interface SchemaCheck {
  problems: Problem[];
  /**
   * Pointer of the member each error concerns, used to skip semantic rules on
   * broken members: the missing or extra member for required and
   * additionalProperties, the failing value otherwise.
   */
  failedPaths: string[];
}

/**
 * Checks a report against spec/schema/report.schema.json and maps each ajv
 * error to a Problem coded `schema.<keyword>`. In lenient mode the value is
 * modified: undeclared members are deleted.
 */
export function checkReportSchema(report: unknown, mode: "strict" | "lenient"): SchemaCheck {
  const validate = reportValidator(mode);
  if (validate(report)) {
    return { problems: [], failedPaths: [] };
  }
  const errors = validate.errors ?? [];
  const problems: Problem[] = [];
  const failedPaths: string[] = [];
  for (const error of errors) {
    failedPaths.push(failedPath(error));
    // propertyNames reports each failing name twice: once from the inner
    // keyword with `propertyName` set, once from propertyNames itself.
    if (error.propertyName !== undefined && error.keyword !== "propertyNames") {
      continue;
    }
    problems.push(toProblem(error));
  }
  return { problems, failedPaths };
}

function failedPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required") {
    return joinPointer(error.instancePath, String(params.missingProperty));
  }
  if (error.keyword === "additionalProperties") {
    return joinPointer(error.instancePath, String(params.additionalProperty));
  }
  return error.instancePath;
}

function toProblem(error: ErrorObject): Problem {
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const description = describe(parent);

  switch (error.keyword) {
    case "required": {
      const member = String(params.missingProperty);
      const memberSchema = (parent.properties as Record<string, SchemaNode> | undefined)?.[member];
      const memberDescription = memberSchema === undefined ? undefined : describe(memberSchema);
      return {
        code: "schema.required",
        severity: "error",
        pointer: joinPointer(error.instancePath, member),
        message: `missing required member ${quote(member)}`,
        hint: `add ${quote(member)}${memberDescription === undefined ? "" : `: ${memberDescription}`}`,
      };
    }
    case "additionalProperties": {
      const member = String(params.additionalProperty);
      const container = error.data as Record<string, unknown>;
      return {
        code: "schema.additional_property",
        severity: "error",
        pointer: joinPointer(error.instancePath, member),
        value: shortenValue(isPlainObject(container) ? container[member] : undefined),
        message: `member ${quote(member)} is not defined by the standard`,
        hint: "remove it, check its spelling, or put data outside the standard under extensions with a reverse-domain key such as org.example.field",
      };
    }
    case "propertyNames": {
      const name = String(params.propertyName);
      return {
        code: "schema.property_name",
        severity: "error",
        pointer: joinPointer(error.instancePath, name),
        value: name,
        message: `member name ${quote(name)} is not allowed here`,
        hint: "name extension members by a reverse domain name you control, such as org.example or org.example.field",
      };
    }
    case "type":
      return {
        code: "schema.type",
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `expected ${withArticle(String(params.type))}, found ${jsonType(error.data)}`,
        hint: `write ${withArticle(String(params.type))}${description === undefined ? "" : `: ${description}`}`,
      };
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((value) => String(value)).join(", ");
      return {
        code: "schema.enum",
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `${quote(error.data)} is not an allowed value`,
        hint: `use one of: ${allowed}`,
      };
    }
    case "pattern":
      return {
        code: "schema.pattern",
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `${quote(error.data)} does not match the pattern ${String(params.pattern)}`,
        hint: description ?? `write a string matching ${String(params.pattern)}`,
      };
    case "format":
      return {
        code: "schema.format",
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `${quote(error.data)} is not a valid ${String(params.format)}`,
        hint: FORMAT_HINTS[String(params.format)] ?? `write a valid ${String(params.format)}`,
      };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const comparison = String(params.comparison);
      return {
        code: `schema.${snakeCase(error.keyword)}`,
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `${quote(error.data)} is not ${COMPARISONS[comparison] ?? comparison} ${String(params.limit)}`,
        hint: `use a value ${COMPARISONS[comparison] ?? comparison} ${String(params.limit)}${description === undefined ? "" : ` (${description})`}`,
      };
    }
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems": {
      const unit = error.keyword.endsWith("Length") ? "characters" : "items";
      const bound = error.keyword.startsWith("min") ? "at least" : "at most";
      return {
        code: `schema.${snakeCase(error.keyword)}`,
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: `has ${lengthOf(error.data)} ${unit}; the standard allows ${bound} ${String(params.limit)}`,
        hint: `write ${bound} ${String(params.limit)} ${unit}${description === undefined ? "" : ` (${description})`}`,
      };
    }
    default:
      return {
        code: `schema.${snakeCase(error.keyword)}`,
        severity: "error",
        pointer: error.instancePath,
        value: shortenValue(error.data),
        message: error.message ?? `does not satisfy the ${error.keyword} keyword`,
        hint: "change the value to match spec/schema/report.schema.json",
      };
  }
}

const COMPARISONS: Record<string, string> = {
  ">=": "at least",
  "<=": "at most",
  ">": "greater than",
  "<": "less than",
};

const FORMAT_HINTS: Record<string, string> = {
  "date-time": "write an RFC 3339 time with a time zone, for example 2025-06-01T12:00:00Z",
  date: "write a date as YYYY-MM-DD, for example 2025-06-01",
  uri: "write an absolute URI with a scheme, for example https://example.org/report",
};

/** The description of a schema node, following a local $ref when the node has none. */
function describe(node: SchemaNode): string | undefined {
  if (typeof node.description === "string") {
    return node.description;
  }
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const defs = loadReportSchema().$defs as Record<string, SchemaNode>;
    const target = defs[ref.slice("#/$defs/".length)];
    return typeof target?.description === "string" ? target.description : undefined;
  }
  return undefined;
}

function snakeCase(keyword: string): string {
  return keyword.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function jsonType(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (typeof value === "number") {
    return Number.isInteger(value) ? "an integer" : "a number";
  }
  return withArticle(typeof value);
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function lengthOf(value: unknown): number {
  if (typeof value === "string") {
    return [...value].length;
  }
  return Array.isArray(value) ? value.length : 0;
}

/**
 * Returns a copy of a report without the members that fail the schema, for
 * code that displays reports the validator rejected. A member that fails is
 * removed, and so is an object that lacks a required member, round after
 * round until the schema passes or only members that `keep` protects fail.
 * Array elements are removed from their array, so later elements move up.
 * Code that reads the copy may trust the type of every member it finds
 * outside the kept pointers.
 */
export function pruneToReportSchema(report: unknown, keep: (pointer: string) => boolean): unknown {
  const copy = structuredClone(report);
  const validate = reportValidator("strict");

  // Each round removes at least one member, and a removal can only expose a
  // failure one level up, so the number of rounds is bounded by the depth.
  for (let round = 0; round < MAX_PRUNE_ROUNDS; round++) {
    if (validate(copy)) {
      break;
    }
    const targets = new Set<string>();
    for (const error of validate.errors ?? []) {
      const target =
        error.keyword === "additionalProperties" || error.keyword === "propertyNames"
          ? failedPath(error)
          : error.instancePath;
      if (!keep(target)) {
        targets.add(target);
      }
    }
    if (targets.size === 0) {
      break;
    }
    removeMembers(copy, [...targets]);
  }
  return copy;
}

const MAX_PRUNE_ROUNDS = 64;

/** Removes the members at `pointers`, array elements from the highest index down. */
function removeMembers(root: unknown, pointers: string[]): void {
  const located = pointers
    .map((pointer) => ({ pointer, tokens: parsePointer(pointer) ?? [] }))
    .filter(({ tokens }) => tokens.length > 0)
    // Deeper members first, and within one array the higher index first, so
    // removing an element never shifts one that is still to be removed.
    .sort(
      (a, b) =>
        b.tokens.length - a.tokens.length || Number(b.tokens.at(-1)) - Number(a.tokens.at(-1)) || 0,
    );
  for (const { tokens } of located) {
    const parentTokens = tokens.slice(0, -1);
    const last = tokens.at(-1) as string;
    const parent = resolvePointer(root, formatPointer(parentTokens));
    if (!parent.found) {
      continue;
    }
    const container = parent.value;
    if (Array.isArray(container)) {
      const index = Number(last);
      if (Number.isInteger(index) && index >= 0 && index < container.length) {
        container.splice(index, 1);
      }
    } else if (isPlainObject(container) && Object.hasOwn(container, last)) {
      delete container[last];
    }
  }
}
