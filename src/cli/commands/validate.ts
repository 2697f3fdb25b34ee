import type { Problem } from "../../spec/problem.js";
import type { FileValidationResult } from "../../spec/validate.js";
import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";
import { metricsCommand } from "./metrics.js";

export interface ValidateCommandOptions {
  json?: boolean;
  /** Public key file that signed envelopes are verified with. */
  key?: string;
  /** Trusted-keys JSON file that signed envelopes are verified with. */
  keys?: string;
  /** Registry folders; the bundled spec/registry when empty. */
  registry?: string[];
}

/** A file that could not be read at all: missing, a folder, or unreadable. */
interface FileError {
  path: string;
  error: { code: string; message: string; hint?: string };
}

/**
 * Validates report files and prints one verdict per file. Returns 0 when every
 * file is valid, 1 when any is invalid, 2 when any cannot be read; every file
 * is checked whatever the earlier ones gave.
 */
export async function validateFiles(
  files: string[],
  options: ValidateCommandOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { InputOutputError } = await import("../../errors.js");
  const { loadRegistry } = await import("../../spec/registry.js");
  const { validateReportFile } = await import("../../spec/validate.js");
  const { loadTrustedKeys } = await import("../../report/sign/load.js");
  const { envelopeUnwrapper } = await import("../../report/sign/unwrap.js");

  const trustedKeys = await loadTrustedKeys({
    ...(options.key === undefined ? {} : { keyPath: resolve(io.cwd, options.key) }),
    ...(options.keys === undefined ? {} : { keysPath: resolve(io.cwd, options.keys) }),
  });
  const unwrap = envelopeUnwrapper(trustedKeys);

  const folders = options.registry ?? [];
  const registry = loadRegistry(
    folders.length === 0 ? undefined : folders.map((folder) => resolve(io.cwd, folder)),
  );

  const outcomes: (FileValidationResult | FileError)[] = [];
  for (const file of files) {
    const path = resolve(io.cwd, file);
    try {
      const result = await validateReportFile(path, { registry, unwrap });
      outcomes.push({ ...result, path: file });
    } catch (error) {
      if (!(error instanceof InputOutputError)) {
        throw error;
      }
      // Messages name the path as the user wrote it, not its absolute form.
      const message = error.message.split(path).join(file);
      const entry: FileError = { path: file, error: { code: error.code, message } };
      if (error.hint !== undefined) {
        entry.error.hint = error.hint;
      }
      outcomes.push(entry);
    }
  }

  const unreadable = outcomes.filter((outcome): outcome is FileError => "error" in outcome);
  const invalid = outcomes.filter((outcome) => !("error" in outcome) && !outcome.valid);
  const exitCode =
    unreadable.length > 0 ? ExitCode.usage : invalid.length > 0 ? ExitCode.failed : ExitCode.ok;

  if (options.json === true) {
    io.stdout(`${JSON.stringify(toJson(outcomes, exitCode), null, 2)}\n`);
    return exitCode;
  }

  for (const outcome of outcomes) {
    if ("error" in outcome) {
      io.stderr(`candor: ${outcome.error.message} (${outcome.error.code})\n`);
      if (outcome.error.hint !== undefined) {
        io.stderr(`  hint: ${outcome.error.hint}\n`);
      }
      continue;
    }
    io.stdout(renderFile(outcome));
  }
  if (outcomes.length > 1) {
    const valid = outcomes.length - invalid.length - unreadable.length;
    const parts = [`${valid} valid`, `${invalid.length} invalid`];
    if (unreadable.length > 0) {
      parts.push(`${unreadable.length} unreadable`);
    }
    io.stdout(`${outcomes.length} files: ${parts.join(", ")}\n`);
  }
  return exitCode;
}

function renderFile(result: FileValidationResult): string {
  const lines = [`${result.path}: ${result.valid ? "VALID" : "INVALID"}`];
  for (const problem of result.problems) {
    lines.push(`  ${renderProblem(problem)}`);
    lines.push(`      hint: ${problem.hint}`);
  }
  if (result.envelope !== undefined) {
    const status = result.envelope.verified
      ? `signature verified (signer ${result.envelope.signer ?? "unnamed"})`
      : `signature NOT verified: ${result.envelope.reason ?? "no trusted key matched"}`;
    lines.push(`  signed envelope (${result.envelope.payloadType}): ${status}`);
  }
  if (result.report !== undefined) {
    const claimed = result.claimedTier === undefined ? "none" : String(result.claimedTier);
    lines.push(
      `  claimed tier ${claimed}, reached tier ${result.reachedTier}, assurance ${result.assurance}`,
    );
    if (result.tierGaps.length > 0) {
      const gaps = result.tierGaps.map(
        (gap) =>
          `${gap.metric} (${gap.status ?? "missing"}${gap.status === "reported" ? " with errors" : ""})`,
      );
      lines.push(`  not reported for tier ${claimed}: ${gaps.join(", ")}`);
    }
  }
  for (const upgrade of result.upgrades) {
    lines.push(`  upgraded from ${upgrade.from_version} to ${upgrade.to_version} on load`);
  }
  return `${lines.join("\n")}\n`;
}

/** One line: severity, code, pointer, message and the offending value. */
export function renderProblem(problem: Problem): string {
  const pointer = problem.pointer === "" ? "(document)" : problem.pointer;
  const value = problem.value === undefined ? "" : ` (${JSON.stringify(problem.value)})`;
  return `${problem.severity.padEnd(7)}  ${problem.code}  ${pointer}  ${singleLine(problem.message)}${singleLine(value)}`;
}

/**
 * Puts report text on one terminal line: line breaks become spaces, and other
 * control characters (ANSI escapes among them) and bidirectional overrides,
 * which could reorder or recolour what the terminal shows, become U+FFFD.
 */
function singleLine(text: string): string {
  return (
    text
      .replace(/[\r\n\u2028\u2029]+/g, " ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the purpose
      .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "\ufffd")
  );
}

function toJson(outcomes: (FileValidationResult | FileError)[], exitCode: number): object {
  return {
    valid: exitCode === ExitCode.ok,
    files: outcomes.map((outcome) => {
      if ("error" in outcome) {
        return { path: outcome.path, valid: false, error: outcome.error };
      }
      return {
        path: outcome.path,
        valid: outcome.valid,
        candor_version: outcome.candorVersion ?? null,
        claimed_tier: outcome.claimedTier ?? null,
        reached_tier: outcome.reachedTier,
        tier_gaps: outcome.tierGaps.map(({ metric, status }) => ({
          metric,
          status: status ?? "missing",
        })),
        assurance: outcome.assurance,
        signature: outcome.envelope ?? null,
        upgrades: outcome.upgrades.map(({ from_version, to_version }) => ({
          from_version,
          to_version,
        })),
        problems: outcome.problems,
      };
    }),
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const validateCommand: CommandModule = {
  register(program, context) {
    program
      .command("validate")
      .description(
        "Check report files against the Candor schema and rules; print each problem, the tier reached and the assurance level",
      )
      .argument("<files...>", "report files (JSON), bare or as signed DSSE envelopes")
      .option("--json", "print one JSON document covering every file instead of text")
      .option("--key <file>", "public key (PEM) to verify signed envelopes with")
      .option("--keys <file>", "trusted-keys JSON file to verify signed envelopes with")
      .option(
        "--registry <dir>",
        "folder of metric registry YAML files; repeat to merge folders (default: the registry shipped with Candor)",
        collect,
      )
      .addHelpText(
        "after",
        "\nExit codes: 0 every file is valid (warnings allowed), 1 any file is invalid, 2 a usage error or a file that cannot be read.",
      )
      .action((files: string[], options: ValidateCommandOptions) =>
        context.run(() => validateFiles(files, options, context.io)),
      );
  },
};

/** The commands over the standard itself: `validate` and `metrics`. */
export const specCommands: CommandModule[] = [validateCommand, metricsCommand];
