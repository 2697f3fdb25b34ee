import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { LineCounter, parseDocument } from "yaml";
import { CandorError, quote } from "../errors.js";
import { SPEC_DIR } from "../paths.js";
import { createAjv } from "./ajv.js";
import type { Metric, RegistryFamily } from "./generated/registry.js";
import { formatPointer, parsePointer } from "./pointer.js";
import { closestMatches } from "./suggest.js";

/** One metric at one version, with the family and file it was read from. */
export interface RegistryMetric extends Metric {
  family: string;
  /** Path of the YAML file that defines it. */
  file: string;
}

/** The header of one registry file: family id, title and brief. */
export interface RegistryFamilyInfo extends Omit<RegistryFamily, "metrics"> {
  file: string;
}

/** The metric registry: every family and every metric version, read from YAML files. */
export interface Registry {
  /** Folders the registry was read from, in order. */
  readonly sources: readonly string[];
  readonly families: readonly RegistryFamilyInfo[];
  /** Every metric version, ordered by tier, id and version. */
  readonly metrics: readonly RegistryMetric[];
  /** Distinct metric ids, ordered like `metrics`. */
  ids(): string[];
  /** The highest version of a metric, or undefined for an unknown id. */
  get(id: string): RegistryMetric | undefined;
  getVersion(id: string, version: number): RegistryMetric | undefined;
  /** Every version of a metric, lowest first; empty for an unknown id. */
  versions(id: string): RegistryMetric[];
  /**
   * Metrics of exactly tier `tier` whose current definition is stable: for
   * each id, its highest version marked stable. Deprecated and development
   * versions are left out.
   */
  stableForTier(tier: number): RegistryMetric[];
  /** Stable metrics of tiers 1 to `tier`, which a report claiming `tier` must carry. */
  requiredForTier(tier: number): RegistryMetric[];
  /** Up to `limit` known ids closest to a mistyped one, closest first. */
  suggest(id: string, limit?: number): string[];
}

export type RegistryRule =
  | "registry.not_found"
  | "registry.empty"
  | "registry.unreadable"
  | "registry.yaml"
  | "registry.schema"
  | "registry.family_mismatch"
  | "registry.duplicate_family"
  | "registry.duplicate_metric"
  | "registry.deprecation"
  | "registry.unknown_successor"
  | "registry.range_inverted";

/**
 * A registry file that cannot be used. `file` is the YAML file (or folder)
 * and `pointer` the RFC 6901 pointer of the bad member inside it.
 */
export class RegistryError extends CandorError {
  override readonly code: RegistryRule;
  readonly file: string;
  readonly pointer: string;
  /** 1-based line of the bad member in the file, or 0 when unknown. */
  readonly line: number;

  constructor(
    code: RegistryRule,
    message: string,
    details: { file: string; pointer?: string; line?: number; hint: string },
  ) {
    super(code, message, { hint: details.hint });
    this.code = code;
    this.file = details.file;
    this.pointer = details.pointer ?? "";
    this.line = details.line ?? 0;
  }
}

export const REGISTRY_DIR = join(SPEC_DIR, "registry");

let cachedSchemaValidator: ValidateFunction | undefined;

function registrySchemaValidator(): ValidateFunction {
  if (cachedSchemaValidator === undefined) {
    const schemaPath = join(SPEC_DIR, "schema", "registry.schema.json");
    const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as object;
    cachedSchemaValidator = createAjv().compile(schema);
  }
  return cachedSchemaValidator;
}

/**
 * Reads every `*.yaml` and `*.yml` file in one or more folders as registry
 * families, checks each against spec/schema/registry.schema.json and the
 * rules the schema cannot express, and returns the registry. Throws a
 * RegistryError naming the file and the pointer of the first problem.
 *
 * Several folders are merged, for example the published registry and a folder
 * of test-only families; a family or metric version defined twice is an error.
 */
export function loadRegistry(dir: string | readonly string[] = REGISTRY_DIR): Registry {
  const folders = typeof dir === "string" ? [dir] : [...dir];
  const families: RegistryFamilyInfo[] = [];
  const metrics: RegistryMetric[] = [];

  for (const folder of folders) {
    for (const file of listYamlFiles(folder)) {
      const parsed = readFamilyFile(file);
      const duplicate = families.find((family) => family.family === parsed.family.family);
      if (duplicate !== undefined) {
        throw new RegistryError(
          "registry.duplicate_family",
          `${file}: family ${quote(parsed.family.family)} is also defined in ${duplicate.file}`,
          {
            file,
            pointer: "/family",
            hint: "keep one file per family and merge the metrics into it",
          },
        );
      }
      families.push(parsed.family);
      metrics.push(...parsed.metrics);
    }
  }

  checkCrossFileRules(metrics);
  return createRegistry(folders, families, metrics);
}

function listYamlFiles(folder: string): string[] {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) {
      throw new RegistryError(
        "registry.not_found",
        `registry folder ${quote(folder)} is not a folder`,
        {
          file: folder,
          hint: "pass the folder that contains the registry's YAML files",
        },
      );
    }
    names = readdirSync(folder);
  } catch (error) {
    if (error instanceof RegistryError) {
      throw error;
    }
    throw new RegistryError(
      "registry.not_found",
      `registry folder ${quote(folder)} cannot be read`,
      {
        file: folder,
        hint: "pass the folder that contains the registry's YAML files (spec/registry in the package)",
      },
    );
  }

  const files = names
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort()
    .map((name) => join(folder, name));
  if (files.length === 0) {
    throw new RegistryError(
      "registry.empty",
      `registry folder ${quote(folder)} contains no .yaml files`,
      {
        file: folder,
        hint: "add one YAML file per metric family, in the format of spec/schema/registry.schema.json",
      },
    );
  }
  return files;
}

function readFamilyFile(file: string): { family: RegistryFamilyInfo; metrics: RegistryMetric[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new RegistryError("registry.unreadable", `${file}: cannot be read (${reason})`, {
      file,
      hint: "check that the file exists and is readable",
    });
  }

  const lineCounter = new LineCounter();
  // Duplicate keys are errors (uniqueKeys) and alias expansion is capped, so a
  // crafted file cannot blow up in memory.
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new RegistryError(
      "registry.yaml",
      `${file}:${line}: not valid YAML: ${firstLine(yamlError.message)}`,
      {
        file,
        line,
        hint: "fix the YAML syntax at that line",
      },
    );
  }
  const data: unknown = document.toJS({ maxAliasCount: 100 });

  const lineOf = (pointer: string): number => {
    const tokens = parsePointer(pointer) ?? [];
    const path = tokens.map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token));
    const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range === undefined ? 0 : lineCounter.linePos(node.range[0]).line;
  };

  const validate = registrySchemaValidator();
  if (!validate(data)) {
    const error = validate.errors?.[0];
    let pointer = error?.instancePath ?? "";
    if (error?.keyword === "additionalProperties") {
      pointer += formatPointer([String(error.params.additionalProperty)]);
    }
    const line = lineOf(pointer) || lineOf(error?.instancePath ?? "");
    const detail =
      error?.keyword === "required"
        ? `missing required member ${quote(error.params.missingProperty)}`
        : error?.keyword === "additionalProperties"
          ? "member not defined by the registry schema"
          : (error?.message ?? "does not match the registry schema");
    throw new RegistryError(
      "registry.schema",
      `${file}${line > 0 ? `:${line}` : ""}: ${pointer || "(root)"}: ${detail}`,
      { file, pointer, line, hint: "fix the member to match spec/schema/registry.schema.json" },
    );
  }

  const family = data as RegistryFamily;
  const metrics: RegistryMetric[] = [];
  for (const [index, metric] of family.metrics.entries()) {
    const pointer = formatPointer(["metrics", index]);
    const fail = (code: RegistryRule, member: string, message: string, hint: string): never => {
      const memberPointer = `${pointer}${member}`;
      const line = lineOf(memberPointer) || lineOf(pointer);
      throw new RegistryError(
        code,
        `${file}${line > 0 ? `:${line}` : ""}: ${memberPointer}: ${message}`,
        {
          file,
          pointer: memberPointer,
          line,
          hint,
        },
      );
    };

    if (!metric.id.startsWith(`${family.family}.`)) {
      fail(
        "registry.family_mismatch",
        "/id",
        `metric id ${quote(metric.id)} does not start with the family ${quote(`${family.family}.`)}`,
        "rename the metric or move it to the file of its family",
      );
    }
    if (metric.stability === "deprecated" && metric.deprecation === undefined) {
      fail(
        "registry.deprecation",
        "/stability",
        `metric ${quote(metric.id)} is deprecated but has no deprecation entry`,
        "add deprecation: { reason, note } and a successor when one exists",
      );
    }
    if (metric.stability !== "deprecated" && metric.deprecation !== undefined) {
      fail(
        "registry.deprecation",
        "/deprecation",
        `metric ${quote(metric.id)} has a deprecation entry but its stability is ${quote(metric.stability)}`,
        "set stability: deprecated, or remove the deprecation entry",
      );
    }
    const [low, high] = metric.definition.range;
    if (low !== null && high !== null && low > high) {
      fail(
        "registry.range_inverted",
        "/definition/range",
        `range [${low}, ${high}] has its minimum above its maximum`,
        "write the range as [minimum, maximum]",
      );
    }
    metrics.push({ ...metric, family: family.family, file });
  }

  return {
    family: { family: family.family, title: family.title, brief: family.brief, file },
    metrics,
  };
}

function checkCrossFileRules(metrics: RegistryMetric[]): void {
  const seen = new Map<string, RegistryMetric>();
  for (const metric of metrics) {
    const key = `${metric.id}@${metric.version}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new RegistryError(
        "registry.duplicate_metric",
        `${metric.file}: metric ${quote(metric.id)} version ${metric.version} is defined twice (also in ${basename(previous.file)})`,
        {
          file: metric.file,
          pointer: "/metrics",
          hint: "a changed definition needs a new version number or a new id",
        },
      );
    }
    seen.set(key, metric);
  }

  const ids = new Set(metrics.map((metric) => metric.id));
  for (const metric of metrics) {
    const successor = metric.deprecation?.successor;
    if (successor !== undefined && !ids.has(successor)) {
      throw new RegistryError(
        "registry.unknown_successor",
        `${metric.file}: metric ${quote(metric.id)} names the successor ${quote(successor)}, which is not in the registry`,
        {
          file: metric.file,
          pointer: "/metrics",
          hint: "name an existing metric id as the successor, or add the successor first",
        },
      );
    }
  }
}

function createRegistry(
  sources: string[],
  families: RegistryFamilyInfo[],
  unsorted: RegistryMetric[],
): Registry {
  const metrics = [...unsorted].sort(
    (a, b) => a.tier - b.tier || a.id.localeCompare(b.id) || a.version - b.version,
  );
  const byId = new Map<string, RegistryMetric[]>();
  for (const metric of metrics) {
    const versions = byId.get(metric.id) ?? [];
    versions.push(metric);
    byId.set(metric.id, versions);
  }
  for (const versions of byId.values()) {
    versions.sort((a, b) => a.version - b.version);
  }

  const stableForTier = (tier: number): RegistryMetric[] => {
    const result: RegistryMetric[] = [];
    for (const versions of byId.values()) {
      const stable = versions.filter((metric) => metric.stability === "stable").at(-1);
      if (stable !== undefined && stable.tier === tier) {
        result.push(stable);
      }
    }
    return result;
  };

  return {
    sources,
    families: [...families].sort((a, b) => a.family.localeCompare(b.family)),
    metrics,
    ids: () => [...byId.keys()],
    get: (id) => byId.get(id)?.at(-1),
    getVersion: (id, version) => byId.get(id)?.find((metric) => metric.version === version),
    versions: (id) => [...(byId.get(id) ?? [])],
    stableForTier,
    requiredForTier: (tier) => {
      // Loop over the tiers the registry has, not up to `tier`: the claimed
      // tier comes from the report, and a claim of 1e308 must not hang.
      const tiers = [...new Set(metrics.map((metric) => metric.tier))].filter(
        (level) => level >= 1 && level <= tier,
      );
      const result: RegistryMetric[] = [];
      for (const level of tiers) {
        result.push(...stableForTier(level));
      }
      return result;
    },
    suggest: (id, limit = 3) => closestMatches(id, [...byId.keys()], limit),
  };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
