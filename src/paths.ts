import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Root of the installed package. Source files sit at src/<file> and compiled
 * files at dist/<file>, both one level below the root, so the same expression
 * works under tsx and after a build.
 */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The normative standard: schema, registry, docs, conformance vectors. */
export const SPEC_DIR = join(PACKAGE_ROOT, "spec");

/** The reference suites' items, shipped as data beside the code. */
export const SUITES_DIR = join(PACKAGE_ROOT, "suites");

export const EXAMPLES_DIR = join(PACKAGE_ROOT, "examples");
