import { InvalidArgumentError } from "commander";
import type { Registry, RegistryMetric } from "../../spec/registry.js";
import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface MetricsListOptions {
  tier?: number;
  family?: string;
  stability?: "development" | "stable" | "deprecated";
  allVersions?: boolean;
  registry?: string[];
  json?: boolean;
}

export interface MetricsShowOptions {
  metricVersion?: number;
  registry?: string[];
  json?: boolean;
}

const STABILITIES = ["development", "stable", "deprecated"] as const;

async function openRegistry(folders: string[] | undefined, io: CommandIO): Promise<Registry> {
  const { resolve } = await import("node:path");
  const { loadRegistry } = await import("../../spec/registry.js");
  const list = folders ?? [];
  return loadRegistry(
    list.length === 0 ? undefined : list.map((folder) => resolve(io.cwd, folder)),
  );
}

/** `candor metrics`: lists the registry's metrics, newest version of each id unless asked for all. */
export async function listMetrics(options: MetricsListOptions, io: CommandIO): Promise<number> {
  const { UsageError } = await import("../../errors.js");
  const registry = await openRegistry(options.registry, io);

  if (
    options.family !== undefined &&
    !registry.families.some((entry) => entry.family === options.family)
  ) {
    const { closestMatches } = await import("../../spec/suggest.js");
    const families = registry.families.map((entry) => entry.family);
    const close = closestMatches(options.family, families);
    throw new UsageError(
      `unknown family "${options.family}"`,
      close.length > 0
        ? `did you mean ${close.join(" or ")}? Families: ${families.join(", ")}`
        : `families: ${families.join(", ")}`,
    );
  }

  let metrics =
    options.allVersions === true
      ? [...registry.metrics]
      : registry.ids().map((id) => registry.get(id) as RegistryMetric);
  metrics = metrics.filter(
    (metric) =>
      (options.tier === undefined || metric.tier === options.tier) &&
      (options.family === undefined || metric.family === options.family) &&
      (options.stability === undefined || metric.stability === options.stability),
  );

  if (options.json === true) {
    io.stdout(`${JSON.stringify(metrics.map(publicFields), null, 2)}\n`);
    return ExitCode.ok;
  }
  if (metrics.length === 0) {
    io.stdout("no metric matches these filters\n");
    return ExitCode.ok;
  }

  const header = ["ID", "VERSION", "TIER", "STABILITY", "UNIT", "BETTER", "REFERENCE SUITE"];
  const rows = metrics.map((metric) => [
    metric.id,
    String(metric.version),
    String(metric.tier),
    metric.stability,
    metric.definition.unit,
    metric.definition.better,
    metric.reference_suite ?? "none yet",
  ]);
  io.stdout(formatTable(header, rows));

  const counts = STABILITIES.map(
    (stability) =>
      [stability, metrics.filter((metric) => metric.stability === stability).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([stability, count]) => `${count} ${stability}`);
  io.stdout(
    `\n${metrics.length} metrics (${counts.join(", ")}); \`candor metrics show ID\` prints one in full\n`,
  );
  return ExitCode.ok;
}

/** `candor metrics show ID`: prints one metric definition in full. */
export async function showMetric(
  id: string,
  options: MetricsShowOptions,
  io: CommandIO,
): Promise<number> {
  const { CandorError, quote } = await import("../../errors.js");
  const registry = await openRegistry(options.registry, io);

  const versions = registry.versions(id);
  if (versions.length === 0) {
    const close = registry.suggest(id);
    throw new CandorError("metrics.unknown_id", `unknown metric id ${quote(id)}`, {
      hint:
        close.length > 0
          ? `did you mean ${close.join(" or ")}? \`candor metrics\` lists every id`
          : "`candor metrics` lists every id",
      exitCode: 2,
    });
  }
  const metric =
    options.metricVersion === undefined
      ? registry.get(id)
      : registry.getVersion(id, options.metricVersion);
  if (metric === undefined) {
    throw new CandorError(
      "metrics.unknown_version",
      `metric ${quote(id)} has no version ${options.metricVersion}`,
      {
        hint: `published versions: ${versions.map((entry) => entry.version).join(", ")}`,
        exitCode: 2,
      },
    );
  }

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify({ ...publicFields(metric), versions: versions.map((entry) => entry.version) }, null, 2)}\n`,
    );
    return ExitCode.ok;
  }
  io.stdout(
    renderMetric(
      metric,
      versions.map((entry) => entry.version),
    ),
  );
  return ExitCode.ok;
}

/** The metric as the registry defines it, without where it was read from. */
function publicFields(metric: RegistryMetric): Omit<RegistryMetric, "file"> {
  const { file: _file, ...rest } = metric;
  return rest;
}

function renderMetric(metric: RegistryMetric, versions: number[]): string {
  const { definition } = metric;
  const lines: string[] = [];
  lines.push(`${metric.id}  version ${metric.version}  (tier ${metric.tier}, ${metric.stability})`);
  lines.push(...wrap(metric.brief, 2));
  if (metric.deprecation !== undefined) {
    const successor =
      metric.deprecation.successor === undefined ? "" : `; use ${metric.deprecation.successor}`;
    lines.push(
      "",
      `Deprecated (${metric.deprecation.reason}${metric.deprecation.since === undefined ? "" : ` in ${metric.deprecation.since}`})${successor}`,
    );
    lines.push(...wrap(metric.deprecation.note, 2));
  }

  lines.push("", "Definition");
  lines.push(...wrap(definition.text, 2));
  lines.push("");
  const range = `[${definition.range[0] ?? "-∞"}, ${definition.range[1] ?? "∞"}]`;
  lines.push(`  kind         ${definition.kind}`);
  lines.push(`  unit         ${definition.unit}`);
  lines.push(`  range        ${range}`);
  lines.push(`  better       ${definition.better}`);
  if (definition.numerator !== undefined) {
    lines.push(...labelled("numerator", definition.numerator));
  }
  if (definition.denominator !== undefined) {
    lines.push(...labelled("denominator", definition.denominator));
  }

  lines.push("", "Protocol fields a measured result must carry");
  for (const field of metric.required_protocol_fields) {
    lines.push(`  ${field}`);
  }
  if (metric.required_protocol_fields.length === 0) {
    lines.push("  none");
  }
  lines.push("", `Reference suite: ${metric.reference_suite ?? "none yet"}`);
  if (metric.statistics !== undefined) {
    lines.push("", "Statistics");
    if (metric.statistics.interval !== undefined) {
      lines.push(`  interval     ${metric.statistics.interval}`);
    }
    if (metric.statistics.cluster_by !== undefined) {
      lines.push(...labelled("cluster by", metric.statistics.cluster_by));
    }
    if (metric.statistics.test !== undefined) {
      lines.push(...labelled("test", metric.statistics.test));
    }
  }
  if (metric.pitfalls.length > 0) {
    lines.push("", "Pitfalls");
    for (const pitfall of metric.pitfalls) {
      const [first = "", ...rest] = wrap(pitfall.text, 4);
      lines.push(`  - ${first.trimStart()}`, ...rest);
      if (pitfall.source !== undefined) {
        lines.push(...wrap(`Source: ${pitfall.source}`, 4));
      }
    }
  }
  lines.push("", `Family: ${metric.family}. Versions published: ${versions.join(", ")}.`);
  return `${lines.join("\n")}\n`;
}

function labelled(label: string, text: string): string[] {
  const [first = "", ...rest] = wrap(text, 15);
  return [`  ${label.padEnd(12)} ${first.trimStart()}`, ...rest];
}

/** Wraps text at 100 columns with the given indent. */
function wrap(text: string, indent: number, width = 100): string[] {
  const words = text.trim().split(/\s+/);
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(" ".repeat(indent) + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") {
    lines.push(" ".repeat(indent) + line);
  }
  return lines;
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return `${[render(header), ...rows.map(render)].join("\n")}\n`;
}

function parseTier(value: string): number {
  if (!/^[1-3]$/.test(value)) {
    throw new InvalidArgumentError("a tier is 1, 2 or 3.");
  }
  return Number(value);
}

function parseStability(value: string): MetricsListOptions["stability"] {
  if (!(STABILITIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`use one of ${STABILITIES.join(", ")}.`);
  }
  return value as MetricsListOptions["stability"];
}

function parseVersionNumber(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new InvalidArgumentError("a metric version is a positive integer.");
  }
  return Number(value);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const REGISTRY_HELP =
  "folder of metric registry YAML files; repeat to merge folders (default: the registry shipped with Candor)";

export const metricsCommand: CommandModule = {
  register(program, context) {
    const metrics = program
      .command("metrics")
      .description(
        "List the metrics of the registry, or print one definition with `metrics show ID`",
      )
      // `show` reads --registry and --json from here: options are parsed
      // wherever they appear, so declaring them twice would hand them to this command.
      .configureHelp({ showGlobalOptions: true })
      .option("--tier <n>", "only metrics of this tier (1, 2 or 3)", parseTier)
      .option("--family <family>", "only metrics of this family, for example refusal")
      .option(
        "--stability <level>",
        "only metrics at this stability: development, stable or deprecated",
        parseStability,
      )
      .option("--all-versions", "list every published version of each metric, not only the newest")
      .option("--registry <dir>", REGISTRY_HELP, collect)
      .option("--json", "print JSON: an array of definitions, or one definition with `show`")
      .action((options: MetricsListOptions) => context.run(() => listMetrics(options, context.io)));

    metrics
      .command("show")
      .description(
        "Print one metric definition in full: definition, protocol fields, statistics, pitfalls",
      )
      .argument("<id>", "metric id, for example refusal.over_refusal_rate")
      .option(
        "--metric-version <n>",
        "version of the definition to print (default: the newest)",
        parseVersionNumber,
      )
      .action((id: string, options: MetricsShowOptions) =>
        context.run(() =>
          showMetric(id, { ...(metrics.opts() as MetricsShowOptions), ...options }, context.io),
        ),
      );
  },
};
