import type { PublisherRelationship, Report } from "../generated/report.js";
import { isWithinPointer } from "../pointer.js";
import { type Problem, shortenValue } from "../problem.js";
import type { Registry } from "../registry.js";
import { type RuleCode, severityOf } from "../rules.js";

/**
 * What the semantic rules share: the report, the registry, a sink for
 * problems, and the paths where the schema already failed. A rule reads a
 * member only when that member passed the schema (`isClean`), so one broken
 * member yields schema problems and not a cascade of follow-on ones.
 */
export class CheckContext {
  readonly problems: Problem[] = [];

  constructor(
    /** The report as parsed; typed members are safe to read only where `isClean` holds. */
    readonly report: Report,
    readonly registry: Registry,
    private readonly failedPaths: readonly string[],
  ) {}

  /**
   * True when the schema found no error at `pointer`, below it (a broken
   * member) or above it (a missing or mistyped container).
   */
  isClean(pointer: string): boolean {
    return !this.failedPaths.some(
      (failed) => isWithinPointer(failed, pointer) || isWithinPointer(pointer, failed),
    );
  }

  /** True when the schema found no error at `pointer` or above it, whatever is wrong below. */
  isIntact(pointer: string): boolean {
    return !this.failedPaths.some((failed) => isWithinPointer(pointer, failed));
  }

  /** The publisher relationship when it passed the schema, else undefined. */
  get relationship(): PublisherRelationship | undefined {
    return this.isClean("/publisher/relationship") ? this.report.publisher.relationship : undefined;
  }

  /** True for reports whose values the publisher measured (first or third party). */
  get measured(): boolean | undefined {
    const relationship = this.relationship;
    return relationship === undefined ? undefined : relationship !== "documentation";
  }

  add(code: RuleCode, pointer: string, message: string, hint: string, value?: unknown): void {
    const problem: Problem = { code, severity: severityOf(code), pointer, message, hint };
    if (value !== undefined) {
      problem.value = shortenValue(value);
    }
    this.problems.push(problem);
  }
}
