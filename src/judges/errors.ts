import { CandorError, InputOutputError } from "../errors.js";

/**
 * A judge prompt template that cannot be used: a placeholder is missing or
 * repeated, an unknown placeholder appears, or a verdict word the parser
 * accepts is not named in the text. Exit code 2.
 */
export class JudgePromptError extends InputOutputError {}

/**
 * A judge run store that does not belong to the responses being judged: a
 * stored verdict was given for a different judge prompt text than the one
 * rendered now. Exit code 2.
 */
export class JudgeStoreMismatchError extends CandorError {
  readonly dir: string;

  constructor(dir: string, message: string) {
    super("judge_store_mismatch", message, {
      hint: "Judge these responses into a new folder, or delete the judge folder to judge them again.",
    });
    this.dir = dir;
  }
}
