import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface TranscriptOptions {
  sample?: string;
  json?: boolean;
  maxChars?: string;
}

const DEFAULT_MAX_CHARS = 2000;

/**
 * Shows the agentic runs stored in a run folder: a list of samples, or one
 * sample's transcript, command record, blocked attempts and state diff.
 */
export async function transcript(
  dir: string,
  options: TranscriptOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError, quote } = await import("../../errors.js");
  const { readAgentSamples } = await import("../../agent/stored.js");

  const maxChars = options.maxChars === undefined ? DEFAULT_MAX_CHARS : Number(options.maxChars);
  if (!Number.isSafeInteger(maxChars) || maxChars < 0) {
    throw new UsageError(
      `--max-chars must be a whole number of at least 0, received ${quote(options.maxChars)}`,
    );
  }

  const folder = resolve(io.cwd, dir);
  const { samples, otherSamples } = readAgentSamples(folder);

  if (options.sample === undefined) {
    if (options.json === true) {
      const list = samples.map((sample) => ({
        id: sample.id,
        status: sample.status,
        attempts: sample.attempts,
        ...(sample.error === undefined ? {} : { error: sample.error }),
        ...(sample.run === undefined
          ? {}
          : {
              endReason: sample.run.endReason,
              steps: sample.run.steps,
              commands: sample.run.record.commands.length,
              blocked: sample.run.record.blocked.length,
              summary: sample.run.diff.summary,
            }),
      }));
      io.stdout(`${JSON.stringify({ dir: folder, samples: list, otherSamples }, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (samples.length === 0) {
      io.stderr(`no agentic runs in ${folder} (${otherSamples} other sample(s))\n`);
      return ExitCode.ok;
    }
    const { renderSampleList } = await import("../../agent/render.js");
    io.stdout(renderSampleList(samples));
    io.stderr(`show one with: candor transcript ${dir} --sample <id>\n`);
    return ExitCode.ok;
  }

  const sample = samples.find((entry) => entry.id === options.sample);
  if (sample === undefined) {
    const known = samples.slice(0, 5).map((entry) => entry.id);
    throw new UsageError(
      `no agentic sample ${quote(options.sample)} in ${quote(folder)}`,
      known.length > 0
        ? `Samples include: ${known.join(", ")}. List them all with candor transcript ${dir}.`
        : undefined,
    );
  }
  if (sample.run === undefined) {
    if (options.json === true) {
      io.stdout(
        `${JSON.stringify({ id: sample.id, status: "error", attempts: sample.attempts, error: sample.error }, null, 2)}\n`,
      );
    } else {
      io.stdout(
        `sample ${sample.id} failed after ${sample.attempts} attempt(s): ${sample.error ?? ""}\n`,
      );
    }
    return ExitCode.failed;
  }

  if (options.json === true) {
    io.stdout(`${JSON.stringify(sample.run, null, 2)}\n`);
  } else {
    const { renderAgentRun } = await import("../../agent/render.js");
    io.stdout(renderAgentRun(sample.id, sample.run, maxChars));
  }
  return ExitCode.ok;
}

export const transcriptCommand: CommandModule = {
  register(program, context) {
    program
      .command("transcript")
      .description(
        "Show the agentic runs stored in a run folder: the transcript, every sandboxed command, blocked attempts and the state diff.",
      )
      .argument("<dir>", "run folder (holds run.sqlite)")
      .option("--sample <id>", "show this sample in full; without it, list the samples")
      .option(
        "--json",
        "print the stored data as JSON: the full run with --sample, a summary per sample without",
      )
      .option(
        "--max-chars <n>",
        `characters shown per message or output in the text view; 0 shows all (default ${DEFAULT_MAX_CHARS})`,
      )
      .addHelpText(
        "after",
        "\nExit codes: 0 shown, 1 the sample is stored as an error, 2 no run folder or no such sample.",
      )
      .action((dir: string, options: TranscriptOptions) =>
        context.run(() => transcript(dir, options, context.io)),
      );
  },
};
