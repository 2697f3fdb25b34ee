/**
 * Returns up to `limit` candidates that look like `input`, closest first: those
 * within an edit distance of about a third of the input's length, then those
 * that contain the input or its last dotted segment.
 */
export function closestMatches(input: string, candidates: readonly string[], limit = 3): string[] {
  const needle = input.toLowerCase();
  const lastSegment = needle.split(".").at(-1) ?? needle;
  const maxDistance = Math.max(2, Math.floor(needle.length / 3));

  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(needle, lower);
    if (distance <= maxDistance) {
      scored.push({ candidate, score: distance });
    } else if (lower.includes(needle) || (lastSegment.length >= 3 && lower.includes(lastSegment))) {
      scored.push({ candidate, score: maxDistance + 1 });
    }
  }
  scored.sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
