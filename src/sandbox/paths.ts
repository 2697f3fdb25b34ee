import { posix } from "node:path";
import { WorkspacePathError } from "./errors.js";

/** Mount point of the workspace inside the sandbox. */
export const WORKSPACE_MOUNT = "/workspace";

/** Home folder of the sandbox user inside the sandbox, kept outside the workspace. */
export const HOME_MOUNT = "/home/agent";

const MAX_PATH_LENGTH = 4096;

/**
 * Resolves a model-chosen path to an absolute path under /workspace, by
 * lexical rules only: relative paths are taken from /workspace, absolute
 * paths must already be under it, and `..` may not climb out. Symlinks are
 * resolved later inside the sandbox, which is what actually confines access.
 */
export function resolveWorkspacePath(input: unknown): string {
  if (typeof input !== "string") {
    throw new WorkspacePathError(String(input), "the path must be a string");
  }
  if (input.length === 0) {
    throw new WorkspacePathError(input, "the path is empty");
  }
  if (input.length > MAX_PATH_LENGTH) {
    throw new WorkspacePathError(input, `the path is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (input.includes("\0")) {
    throw new WorkspacePathError(input, "the path contains a NUL character");
  }

  const absolute = posix.isAbsolute(input) ? input : posix.join(WORKSPACE_MOUNT, input);
  const normalized = posix.normalize(absolute).replace(/\/+$/, "");
  if (!normalized.startsWith(`${WORKSPACE_MOUNT}/`)) {
    const reason = posix.isAbsolute(input)
      ? "absolute paths must be under /workspace"
      : "the path climbs out of /workspace";
    throw new WorkspacePathError(input, reason);
  }
  return normalized;
}

/**
 * Checks a fixture path: relative, inside the folder it is relative to (the
 * workspace or the home folder), not inside `.git`.
 * Returns the normalized relative path or a reason it is invalid.
 */
export function checkFixturePath(
  path: string,
): { ok: true; path: string } | { ok: false; reason: string } {
  if (path.length === 0 || path.includes("\0")) {
    return { ok: false, reason: "the path is empty or contains a NUL character" };
  }
  if (posix.isAbsolute(path)) {
    return { ok: false, reason: "the path is absolute" };
  }
  const normalized = posix.normalize(path);
  if (normalized === "." || normalized.startsWith("../") || normalized === "..") {
    return { ok: false, reason: "the path climbs out of its folder" };
  }
  if (normalized === ".git" || normalized.startsWith(".git/")) {
    return { ok: false, reason: "the path is inside .git, which the fixture's git history owns" };
  }
  return { ok: true, path: normalized.replace(/\/+$/, "") };
}
