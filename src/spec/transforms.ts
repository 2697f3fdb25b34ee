import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { CandorError, quote } from "../errors.js";
import { SPEC_DIR } from "../paths.js";
import { createAjv } from "./ajv.js";
import { isPlainObject, parsePointer } from "./pointer.js";
import { parseVersion } from "./semver.js";

/**
 * Transforms upgrade a report written for an older minor line of the standard
 * to the next one, so readers accept old reports without keeping old code
 * paths. spec/transforms/README.md describes the format.
 */

export type TransformOperation =
  | {
      op: "rename_metric";
      from: string;
      to: string;
      from_metric_version?: number;
      version?: number;
    }
  | { op: "rename_field"; pointer_from: string; pointer_to: string }
  | { op: "remove_field"; pointer: string };

export interface Transform {
  /** Minor line read, MAJOR.MINOR. */
  from_version: string;
  /** Minor line written, MAJOR.MINOR. */
  to_version: string;
  description: string;
  operations: TransformOperation[];
  /** File the transform was read from. */
  file: string;
}

export type TransformRule = "transform.unreadable" | "transform.schema" | "transform.invalid";

export class TransformError extends CandorError {
  override readonly code: TransformRule;
  readonly file: string;

  constructor(code: TransformRule, file: string, message: string, hint: string) {
    super(code, message, { hint });
    this.code = code;
    this.file = file;
  }
}

export const TRANSFORMS_DIR = join(SPEC_DIR, "transforms");

const FORBIDDEN_TOKENS = new Set(["__proto__", "constructor", "prototype"]);

let transformValidator: ValidateFunction | undefined;

/**
 * Reads every `*.yaml` transform in a folder and checks it against
 * spec/transforms/transform.schema.json. A missing folder contains no transforms.
 */
export function loadTransforms(dir: string = TRANSFORMS_DIR): Transform[] {
  if (!existsSync(dir)) {
    return [];
  }
  transformValidator ??= createAjv().compile(
    JSON.parse(readFileSync(join(TRANSFORMS_DIR, "transform.schema.json"), "utf8")) as object,
  );
  const validate = transformValidator;

  const transforms: Transform[] = [];
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort();
  for (const name of names) {
    const file = join(dir, name);
    let data: unknown;
    try {
      data = parseYaml(readFileSync(file, "utf8"), { uniqueKeys: true, maxAliasCount: 100 });
    } catch (error) {
      throw new TransformError(
        "transform.unreadable",
        file,
        `${file}: cannot be read as YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        "fix the YAML syntax of the transform file",
      );
    }
    if (!validate(data)) {
      const error = validate.errors?.[0];
      throw new TransformError(
        "transform.schema",
        file,
        `${file}: ${error?.instancePath || "(root)"} ${error?.message ?? "does not match the transform schema"}`,
        "fix the file to match spec/transforms/transform.schema.json",
      );
    }
    const transform = { ...(data as Omit<Transform, "file">), file };
    checkTransform(transform);
    transforms.push(transform);
  }

  const seen = new Map<string, string>();
  for (const transform of transforms) {
    const other = seen.get(transform.from_version);
    if (other !== undefined) {
      throw new TransformError(
        "transform.invalid",
        transform.file,
        `${transform.file}: a transform from ${transform.from_version} also exists in ${other}`,
        "keep one transform per minor line",
      );
    }
    seen.set(transform.from_version, transform.file);
  }
  return transforms;
}

function checkTransform(transform: Transform): void {
  const from = parseVersion(`${transform.from_version}.0`);
  const to = parseVersion(`${transform.to_version}.0`);
  if (
    from === undefined ||
    to === undefined ||
    to.major * 1e6 + to.minor <= from.major * 1e6 + from.minor
  ) {
    throw new TransformError(
      "transform.invalid",
      transform.file,
      `${transform.file}: to_version ${quote(transform.to_version)} is not later than from_version ${quote(transform.from_version)}`,
      "a transform upgrades a report to a later minor line",
    );
  }
  for (const operation of transform.operations) {
    const pointers =
      operation.op === "rename_field"
        ? [operation.pointer_from, operation.pointer_to]
        : operation.op === "remove_field"
          ? [operation.pointer]
          : [];
    for (const pointer of pointers) {
      if ((parsePointer(pointer) ?? []).some((token) => FORBIDDEN_TOKENS.has(token))) {
        throw new TransformError(
          "transform.invalid",
          transform.file,
          `${transform.file}: pointer ${quote(pointer)} names a forbidden member`,
          "transforms never address __proto__, constructor or prototype",
        );
      }
    }
    if (operation.op === "rename_field") {
      const wildcards = (pointer: string) =>
        (parsePointer(pointer) ?? []).filter((token) => token === "*").length;
      if (wildcards(operation.pointer_from) !== wildcards(operation.pointer_to)) {
        throw new TransformError(
          "transform.invalid",
          transform.file,
          `${transform.file}: ${quote(operation.pointer_from)} and ${quote(operation.pointer_to)} have different numbers of * tokens`,
          "each * in pointer_from needs a matching * in pointer_to, in the same order",
        );
      }
    }
  }
}

/** An upgrade that was applied to a report. */
export interface AppliedTransform {
  from_version: string;
  to_version: string;
  file: string;
}

/**
 * Upgrades a report to the minor line of `targetVersion` by applying, in
 * order, the transform for the report's minor line and then the one for each
 * line it leads to. Returns a changed copy and the steps taken; the input is
 * never modified. A report already at or past the target, or one with no
 * transform for its line, comes back unchanged.
 */
export function upgradeReport(
  report: unknown,
  transforms: readonly Transform[],
  targetVersion: string,
): { report: unknown; applied: AppliedTransform[] } {
  const target = parseVersion(targetVersion);
  if (!isPlainObject(report) || typeof report.candor_version !== "string" || target === undefined) {
    return { report, applied: [] };
  }

  const applied: AppliedTransform[] = [];
  let current: Record<string, unknown> = report;
  for (let step = 0; step <= transforms.length; step++) {
    const version = parseVersion(String(current.candor_version));
    if (
      version === undefined ||
      version.major * 1e6 + version.minor >= target.major * 1e6 + target.minor
    ) {
      break;
    }
    const line = `${version.major}.${version.minor}`;
    const transform = transforms.find((candidate) => candidate.from_version === line);
    if (transform === undefined) {
      break;
    }
    if (applied.length === 0) {
      current = structuredClone(current);
    }
    for (const operation of transform.operations) {
      applyOperation(current, operation);
    }
    current.candor_version = `${transform.to_version}.0`;
    applied.push({ from_version: line, to_version: transform.to_version, file: transform.file });
  }
  return { report: current, applied };
}

function applyOperation(report: Record<string, unknown>, operation: TransformOperation): void {
  switch (operation.op) {
    case "rename_metric": {
      const results = Array.isArray(report.results) ? report.results : [];
      for (const result of results) {
        if (!isPlainObject(result) || result.metric !== operation.from) {
          continue;
        }
        if (
          operation.from_metric_version !== undefined &&
          result.metric_version !== operation.from_metric_version
        ) {
          continue;
        }
        result.metric = operation.to;
        if (operation.version !== undefined) {
          result.metric_version = operation.version;
        }
      }
      return;
    }
    case "rename_field": {
      const targetTokens = parsePointer(operation.pointer_to) ?? [];
      for (const match of matchPointer(report, parsePointer(operation.pointer_from) ?? [])) {
        const tokens = substituteWildcards(targetTokens, match.wildcards);
        if (setIfAbsent(report, tokens, match.parent[match.key])) {
          delete match.parent[match.key];
        }
      }
      return;
    }
    case "remove_field":
      for (const match of matchPointer(report, parsePointer(operation.pointer) ?? [])) {
        delete match.parent[match.key];
      }
      return;
  }
}

interface PointerMatch {
  parent: Record<string, unknown>;
  key: string;
  /** Values the * tokens took, in order. */
  wildcards: string[];
}

/**
 * Lists the object members a wildcard pointer matches. Array elements can be
 * traversed but not moved or deleted, so the last token must name an object
 * member.
 */
function matchPointer(root: unknown, tokens: string[]): PointerMatch[] {
  const matches: PointerMatch[] = [];
  const walk = (node: unknown, index: number, wildcards: string[]): void => {
    const token = tokens[index];
    if (token === undefined) {
      return;
    }
    const last = index === tokens.length - 1;
    const keys =
      token === "*"
        ? Array.isArray(node)
          ? node.map((_, position) => String(position))
          : isPlainObject(node)
            ? Object.keys(node)
            : []
        : [token];
    for (const key of keys) {
      const bound = token === "*" ? [...wildcards, key] : wildcards;
      if (Array.isArray(node)) {
        if (!last) {
          walk(node[Number(key)], index + 1, bound);
        }
      } else if (isPlainObject(node) && Object.hasOwn(node, key)) {
        if (last) {
          matches.push({ parent: node, key, wildcards: bound });
        } else {
          walk(node[key], index + 1, bound);
        }
      }
    }
  };
  walk(root, 0, []);
  return matches;
}

function substituteWildcards(tokens: string[], values: string[]): string[] {
  let next = 0;
  return tokens.map((token) => (token === "*" ? (values[next++] ?? token) : token));
}

/** Sets a member, creating missing parent objects; returns false when the target already exists or cannot be reached. */
function setIfAbsent(root: Record<string, unknown>, tokens: string[], value: unknown): boolean {
  let node: unknown = root;
  for (const [index, token] of tokens.entries()) {
    const last = index === tokens.length - 1;
    if (Array.isArray(node)) {
      if (last) {
        return false;
      }
      node = node[Number(token)];
      continue;
    }
    if (!isPlainObject(node)) {
      return false;
    }
    if (last) {
      if (Object.hasOwn(node, token)) {
        return false;
      }
      node[token] = value;
      return true;
    }
    if (!Object.hasOwn(node, token)) {
      node[token] = {};
    }
    node = node[token];
  }
  return false;
}
