import type { PublisherRelationship, Report } from "../generated/report.js";
import { parsePointer } from "../pointer.js";
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
  // The rules ask about every member of every result, so a linear scan of the
  // failed paths made a report with thousands of schema errors take minutes.
  private readonly failed: FailedPathTree;

  constructor(
    /** The report as parsed; typed members are safe to read only where `isClean` holds. */
    readonly report: Report,
    readonly registry: Registry,
    failedPaths: readonly string[],
  ) {
    this.failed = new FailedPathTree(failedPaths);
  }

  /**
   * True when the schema found no error at `pointer`, below it (a broken
   * member) or above it (a missing or mistyped container).
   */
  isClean(pointer: string): boolean {
    const node = this.failed.walk(pointer);
    return node !== "failed" && (node === undefined || node.children.size === 0);
  }

  /** True when the schema found no error at `pointer` or above it, whatever is wrong below. */
  isIntact(pointer: string): boolean {
    return this.failed.walk(pointer) !== "failed";
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

interface PathNode {
  failed: boolean;
  children: Map<string, PathNode>;
}

/** The schema's failed paths as a tree of pointer tokens, so a lookup costs one walk down a pointer. */
class FailedPathTree {
  private readonly root: PathNode = { failed: false, children: new Map() };

  constructor(paths: readonly string[]) {
    for (const path of paths) {
      let node = this.root;
      for (const token of parsePointer(path) ?? []) {
        let child = node.children.get(token);
        if (child === undefined) {
          child = { failed: false, children: new Map() };
          node.children.set(token, child);
        }
        node = child;
      }
      node.failed = true;
    }
  }

  /**
   * Follows `pointer` down the tree. Returns "failed" when a failed path is
   * `pointer` or lies above it, the node at `pointer` when failed paths lie
   * only below it, and undefined when none does.
   */
  walk(pointer: string): PathNode | "failed" | undefined {
    let node = this.root;
    if (node.failed) {
      return "failed";
    }
    for (const token of parsePointer(pointer) ?? []) {
      const child = node.children.get(token);
      if (child === undefined) {
        return undefined;
      }
      if (child.failed) {
        return "failed";
      }
      node = child;
    }
    return node;
  }
}
