/** Versions of the standard: MAJOR.MINOR.PATCH, compared numerically. */

export interface SemanticVersion {
  major: number;
  minor: number;
  patch: number;
}

const VERSION_PATTERN = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/** Parses MAJOR.MINOR.PATCH; returns undefined for anything else, pre-release tags included. */
export function parseVersion(text: string): SemanticVersion | undefined {
  const match = VERSION_PATTERN.exec(text);
  if (match === null) {
    return undefined;
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if (![major, minor, patch].every((part) => Number.isSafeInteger(part))) {
    return undefined;
  }
  return { major: major as number, minor: minor as number, patch: patch as number };
}

/** Negative when a < b, zero when equal, positive when a > b. */
export function compareVersions(a: SemanticVersion, b: SemanticVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(version: SemanticVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}
