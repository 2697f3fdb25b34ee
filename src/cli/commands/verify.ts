import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface VerifyOptions {
  key?: string;
  keys?: string;
  json?: boolean;
}

/**
 * Verifies a signed report. Exit 0 when a trusted key's signature verifies
 * over the payload and its type; exit 1 with the reason otherwise.
 */
export async function verify(
  envelopePath: string,
  options: VerifyOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { UsageError } = await import("../../errors.js");
  const { loadTrustedKeys } = await import("../../report/sign/load.js");
  const { openReport } = await import("../../report/open.js");

  if (options.key === undefined && options.keys === undefined) {
    throw new UsageError("no key to verify with", "Pass --key PUBLIC.pub or --keys TRUSTED.json.");
  }
  const trustedKeys = await loadTrustedKeys({
    ...(options.key === undefined ? {} : { keyPath: resolve(io.cwd, options.key) }),
    ...(options.keys === undefined ? {} : { keysPath: resolve(io.cwd, options.keys) }),
  });
  const path = resolve(io.cwd, envelopePath);

  let opened: Awaited<ReturnType<typeof openReport>>;
  try {
    opened = await openReport(path, { trustedKeys });
  } catch (error) {
    const { CandorError } = await import("../../errors.js");
    // Anything wrong with the envelope's content is a failed verification
    // (exit 1); only an unreadable file stays a usage error.
    if (error instanceof CandorError && error.exitCode === 1) {
      return printFailure(io, options, envelopePath, error.message);
    }
    throw error;
  }

  const envelope = opened.envelope;
  if (envelope === undefined) {
    return printFailure(
      io,
      options,
      envelopePath,
      "the file is a bare report, not a signed envelope",
    );
  }
  if (!envelope.verified) {
    return printFailure(
      io,
      options,
      envelopePath,
      envelope.reason ?? "the signature did not verify",
    );
  }

  const { terminalText } = await import("../../report/compare/text.js");
  const model = opened.report.model;
  const modelText = model.version === undefined ? model.name : `${model.name} ${model.version}`;
  if (options.json === true) {
    io.stdout(
      `${JSON.stringify({ file: envelopePath, verified: true, signer: envelope.signer, keyid: envelope.keyid, payload_type: envelope.payloadType, statement: envelope.statement, model: { name: model.name, version: model.version ?? null, developer: model.developer } }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      [
        `verified:     ${envelopePath}`,
        `signer:       ${terminalText(envelope.signer ?? "")}`,
        `key id:       ${envelope.keyid}`,
        `payload type: ${envelope.payloadType}${envelope.statement ? " (in-toto Statement)" : ""}`,
        `model:        ${terminalText(`${modelText} (${model.developer})`)}`,
        "",
      ].join("\n"),
    );
  }
  return ExitCode.ok;
}

function printFailure(io: CommandIO, options: VerifyOptions, file: string, reason: string): number {
  if (options.json === true) {
    io.stdout(`${JSON.stringify({ file, verified: false, reason }, null, 2)}\n`);
  }
  io.stderr(`candor: verification failed for ${file}: ${reason}\n`);
  return ExitCode.failed;
}

export const verifyCommand: CommandModule = {
  register(program, context) {
    program
      .command("verify")
      .description("Check the signature of a signed report (a DSSE envelope).")
      .argument("<envelope>", "envelope file written by `candor sign`")
      .option("--key <file>", "public key (PEM) to trust, such as PREFIX.pub from `candor keygen`")
      .option("--keys <file>", "trusted-keys file: a JSON list of {keyid, public_key (PEM), name}")
      .option("--json", "print the outcome as JSON")
      .action((envelope: string, options: VerifyOptions) =>
        context.run(() => verify(envelope, options, context.io)),
      );
  },
};
