import { InputOutputError } from "../../errors.js";

/**
 * An input file of the hallucination suite (items, an external data set in
 * the SimpleQA layout) that cannot be used: invalid JSON, missing columns or
 * fields, empty values or duplicate ids. The message names the file, the
 * line and the value; the hint says how to fix it. Exit code 2.
 */
export class HallucinationInputError extends InputOutputError {}
