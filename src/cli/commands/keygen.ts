import type { CommandModule } from "../command.js";
import { type CommandIO, ExitCode } from "../io.js";

export interface KeygenOptions {
  output: string;
  force?: boolean;
  json?: boolean;
  name?: string;
}

/** Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM) and prints the key id. */
export async function keygen(options: KeygenOptions, io: CommandIO): Promise<number> {
  const { basename, resolve } = await import("node:path");
  const { rm, writeFile } = await import("node:fs/promises");
  const { InputOutputError, UsageError, quote } = await import("../../errors.js");
  const { generateSigningKey } = await import("../../report/sign/keys.js");

  // resolve() drops a trailing slash, so "keys/" would write keys.key beside
  // the folder, and "" would name the keys after the current folder.
  if (options.output.trim() === "" || /[\\/]$/.test(options.output)) {
    throw new UsageError(
      `the key prefix ${quote(options.output)} names no file`,
      "Pass a folder and a file name without extension, such as keys/lab for keys/lab.key and keys/lab.pub.",
    );
  }
  const prefix = resolve(io.cwd, options.output);
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  const pair = generateSigningKey();

  // "wx" refuses to replace an existing key: overwriting a private key
  // silently would orphan every signature made with it.
  const flag = options.force === true ? "w" : "wx";
  const created: string[] = [];
  for (const [path, text, mode] of [
    [privatePath, pair.privateKeyPem, 0o600],
    [publicPath, pair.publicKeyPem, 0o644],
  ] as const) {
    try {
      await writeFile(path, text, { flag, mode });
      created.push(path);
    } catch (cause) {
      // A private key left beside another key's public half would sign
      // reports that the .pub file cannot verify, so a half-written pair
      // is removed. Files replaced under --force cannot be restored.
      if (flag === "wx") {
        await Promise.all(created.map((file) => rm(file, { force: true })));
      }
      const exists = (cause as NodeJS.ErrnoException).code === "EEXIST";
      throw new InputOutputError(
        exists ? "file.exists" : "file.unwritable",
        path,
        exists ? `${quote(path)} already exists` : `cannot write ${quote(path)}`,
        {
          hint: exists
            ? "Choose another prefix, or pass --force to replace the key."
            : "Check that the folder exists and is writable.",
          cause,
        },
      );
    }
  }

  if (options.json === true) {
    io.stdout(
      `${JSON.stringify({ keyid: pair.keyid, private_key: privatePath, public_key: publicPath, trusted_key: { keyid: pair.keyid, public_key: pair.publicKeyPem, name: options.name ?? basename(prefix) } }, null, 2)}\n`,
    );
  } else {
    io.stdout(
      `private key: ${privatePath} (keep it secret)\npublic key:  ${publicPath}\nkey id:      ${pair.keyid}\n`,
    );
  }
  return ExitCode.ok;
}

export const keygenCommand: CommandModule = {
  register(program, context) {
    program
      .command("keygen")
      .description("Create an Ed25519 key pair for signing reports.")
      .requiredOption(
        "-o, --output <prefix>",
        "path prefix: writes PREFIX.key (private, mode 0600) and PREFIX.pub (public)",
      )
      .option("--force", "replace existing key files at that prefix")
      .option("--json", "print the key id and paths as JSON, with an entry for a trusted-keys file")
      .option(
        "--name <text>",
        "signer name in the --json trusted-keys entry (default: the prefix's file name)",
      )
      .action((options: KeygenOptions) => context.run(() => keygen(options, context.io)));
  },
};
