/**
 * Reads a judge's answer strictly: the whole answer, trimmed, lower-cased
 * and stripped of surrounding quotes, backticks, asterisks, brackets and a
 * final full stop, must equal one of `verdicts`. Anything else returns
 * undefined: an empty answer, an explanation, two verdicts, or a verdict
 * inside a sentence ("it is correct"). A lenient reader would have to guess,
 * and a guess that files garbage under one verdict biases the metric.
 */
export function parseVerdict<V extends string>(
  answer: string,
  verdicts: readonly V[],
): V | undefined {
  const word = answer
    .trim()
    .toLowerCase()
    .replace(/^[\s"'`*[(]+|[\s"'`*\])]+$/g, "")
    .replace(/\.$/, "")
    .replace(/[\s"'`*\])]+$/g, "");
  return (verdicts as readonly string[]).includes(word) ? (word as V) : undefined;
}
