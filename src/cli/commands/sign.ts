import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface SignOptions {
  key: string;
  output: string;
  statement?: boolean;
  force?: boolean;
  json?: boolean;
}

/** Maximum validation problems printed when signing is refused. */
const MAX_PROBLEMS_SHOWN = 10;

/**
 * Signs a report as a DSSE envelope over its exact bytes, or over an in-toto
 * Statement around it with --statement. An invalid report is refused unless
 * --force is given, so a signature never lends weight to a broken report by
 * accident.
 */
export async function sign(
  reportPath: string,
  options: SignOptions,
  io: CommandIO,
): Promise<number> {
  const { resolve } = await import("node:path");
  const { writeFile } = await import("node:fs/promises");
  const { MAX_KEY_FILE_BYTES, readRegularFile } = await import("../../report/sign/load.js");
  const { CandorError, InputOutputError, UsageError, quote } = await import("../../errors.js");
  const { readPrivateKey, keyIdOf } = await import("../../report/sign/keys.js");
  const { signReport, serializeEnvelope } = await import("../../report/sign/sign.js");
  const { looksLikeEnvelope } = await import("../../report/sign/dsse.js");
  const { DEFAULT_JSON_LIMITS, parseJsonDocument } = await import("../../spec/json.js");
  const { validateReportFile } = await import("../../spec/validate.js");
  const { loadRegistry } = await import("../../spec/registry.js");

  const path = resolve(io.cwd, reportPath);
  const keyPath = resolve(io.cwd, options.key);
  const outputPath = resolve(io.cwd, options.output);
  if (outputPath === path) {
    throw new UsageError(
      `the envelope would replace the report ${quote(reportPath)}`,
      "Write the envelope to its own file, for example -o report.dsse.json, and publish both.",
    );
  }

  const privateKey = readPrivateKey(
    (await readRegularFile(keyPath, "private key", MAX_KEY_FILE_BYTES)).toString("utf8"),
    keyPath,
  );
  const bytes = await readRegularFile(path, "report", DEFAULT_JSON_LIMITS.maxBytes);

  let report: unknown;
  try {
    report = parseJsonDocument(bytes);
  } catch (error) {
    if (error instanceof CandorError) {
      throw new CandorError(error.code, `${quote(path)} is not a JSON report: ${error.message}`, {
        hint: "Only a Candor report can be signed; check the file with `candor validate`.",
        exitCode: 1,
      });
    }
    throw error;
  }
  if (looksLikeEnvelope(report)) {
    throw new CandorError("sign.already_signed", `${quote(path)} is already a signed envelope`, {
      hint: "Sign the report itself; to add a signer, sign the original report again.",
      exitCode: 1,
    });
  }

  const validation = await validateReportFile(path, { registry: loadRegistry() });
  if (!validation.valid) {
    const errors = validation.problems.filter((problem) => problem.severity === "error");
    if (options.force !== true) {
      io.stderr(
        `candor: ${reportPath} is not a valid report (${errors.length} problems), so it was not signed:\n`,
      );
      for (const problem of errors.slice(0, MAX_PROBLEMS_SHOWN)) {
        io.stderr(`  ${problem.code} at ${problem.pointer || "/"}: ${problem.message}\n`);
      }
      if (errors.length > MAX_PROBLEMS_SHOWN) {
        io.stderr(
          `  … and ${errors.length - MAX_PROBLEMS_SHOWN} more; run \`candor validate ${reportPath}\`\n`,
        );
      }
      io.stderr("  Fix the report, or pass --force to sign it anyway.\n");
      return ExitCode.failed;
    }
    io.stderr(
      `candor: warning: signing ${reportPath} although it has ${errors.length} validation problems (--force)\n`,
    );
  }

  const envelope = signReport(bytes, report as Parameters<typeof signReport>[1], privateKey, {
    statement: options.statement === true,
  });
  try {
    await writeFile(outputPath, serializeEnvelope(envelope), "utf8");
  } catch (cause) {
    throw new InputOutputError("file.unwritable", outputPath, `cannot write ${quote(outputPath)}`, {
      hint: "Check that the folder exists and is writable.",
      cause,
    });
  }

  const keyid = keyIdOf(privateKey);
  if (options.json === true) {
    io.stdout(
      `${JSON.stringify({ envelope: outputPath, keyid, payload_type: envelope.payloadType, valid: validation.valid }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      `signed ${reportPath} -> ${outputPath}\nkey id:       ${keyid}\npayload type: ${envelope.payloadType}\n`,
    );
  }
  return ExitCode.ok;
}

export const signCommand: CommandModule = {
  register(program, context) {
    program
      .command("sign")
      .description("Sign a report as a DSSE envelope (Ed25519) over its exact bytes.")
      .argument("<report>", "report file to sign")
      .requiredOption("--key <file>", "private key (PKCS#8 PEM) from `candor keygen`")
      .requiredOption("-o, --output <file>", "envelope file to write")
      .option(
        "--statement",
        "wrap the report in an in-toto Statement v1 whose subject is the model (needs the model's weights_digest or endpoint)",
      )
      .option("--force", "sign even if the report fails validation")
      .option("--json", "print the envelope path, key id and payload type as JSON")
      .action((report: string, options: SignOptions) =>
        context.run(() => sign(report, options, context.io)),
      );
  },
};
