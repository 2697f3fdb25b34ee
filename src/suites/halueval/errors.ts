import { InputOutputError } from "../../errors.js";

/**
 * A HaluEval file that cannot be imported at all: empty, a JSON array that
 * does not parse, or without a single record carrying a yes or no label.
 * Single bad records do not raise this error; they are kept as unscored
 * outcomes. Exit code 2.
 */
export class HaluEvalInputError extends InputOutputError {}
