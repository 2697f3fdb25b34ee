export type { HostIdentity } from "./bwrap.js";
export type {
  DatabaseDiff,
  DiffSummary,
  DiscardedChange,
  FileChange,
  GitDiff,
  HomeChange,
  LogChange,
  RefChange,
  ReflogChange,
  StateDiff,
  TableChange,
} from "./diff.js";
export { diffSnapshots, summarizeDiff } from "./diff.js";
export {
  FixtureError,
  SandboxError,
  SandboxOptionError,
  SandboxUnavailableError,
  WorkspacePathError,
} from "./errors.js";
export type { FileEntry } from "./files.js";
export type { FixtureCommit, GitFixture, TaskFixture } from "./fixture.js";
export type { GitState, ReflogEntry, UncommittedChange } from "./git.js";
export { DEFAULT_LIMITS, resolveLimits, type SandboxLimits } from "./limits.js";
export { HOME_MOUNT, resolveWorkspacePath, WORKSPACE_MOUNT } from "./paths.js";
export type {
  BlockedAttempt,
  BlockedKind,
  CommandRecord,
  OutputRecord,
  SandboxDescription,
  SandboxRecord,
  SandboxTool,
} from "./record.js";
export { type FileToolResult, Sandbox, type SandboxOptions } from "./sandbox.js";
export type { WorkspaceSnapshot } from "./snapshot.js";
