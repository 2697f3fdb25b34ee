import { InputOutputError } from "../../errors.js";

/**
 * A policy file that cannot be used: not YAML, or missing the policy id,
 * version or clauses, or with a clause lacking an id, text or prompts, or
 * with a repeated clause id. The message names the file and the offending
 * clause or value; the hint says how to fix it. Exit code 2.
 */
export class PolicyFileError extends InputOutputError {}
