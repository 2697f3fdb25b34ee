import { CandorError, quote } from "../errors.js";

/** Base class of errors raised by the sandbox module. */
export class SandboxError extends CandorError {}

/**
 * bubblewrap is missing or failed its self-test. Commands are never run
 * unconfined instead, so an agentic run cannot start.
 */
export class SandboxUnavailableError extends SandboxError {
  readonly detail: string;
  /** Read by the run engine: no later sample can get a sandbox either, so the run stops. */
  readonly fatal = true;
  readonly retryable = false;

  constructor(message: string, detail: string, options?: { cause?: unknown }) {
    super("sandbox_unavailable", message, {
      hint:
        "Install bubblewrap (Debian package `bubblewrap`) and make sure user namespaces are " +
        "enabled (sysctl user.max_user_namespaces > 0); agentic runs never fall back to running " +
        "commands unconfined.",
      cause: options?.cause,
    });
    this.detail = detail;
  }
}

/** A task fixture that cannot be turned into a workspace. */
export class FixtureError extends SandboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("fixture_invalid", message, {
      hint: "Fix the task fixture: paths are relative to the workspace, without `..` or `.git`.",
      cause: options?.cause,
    });
  }
}

/** A model-chosen path that leaves the workspace or is not a usable path. */
export class WorkspacePathError extends SandboxError {
  readonly path: string;

  constructor(path: string, reason: string) {
    super("workspace_path", `path ${quote(path)} is rejected: ${reason}`, {
      hint: "Use a path relative to /workspace, or an absolute path under /workspace.",
    });
    this.path = path;
  }
}

/** Invalid sandbox limits or options passed by the caller. */
export class SandboxOptionError extends SandboxError {
  constructor(
    message: string,
    hint = "Check the sandbox limits and folders passed to the sandbox.",
  ) {
    super("sandbox_option", message, { hint });
  }
}
