import { InputOutputError } from "../../errors.js";

/**
 * An input file of the refusal suite (items, an external data set, a
 * responses file) that cannot be used: unreadable, too large, not UTF-8, or
 * with missing columns, bad values or duplicate ids. The message names the
 * file, the line and the value; the hint says how to fix it. Exit code 2.
 */
export class SuiteInputError extends InputOutputError {}
