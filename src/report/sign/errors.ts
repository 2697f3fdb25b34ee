import { CandorError } from "../../errors.js";

/**
 * A key, envelope or signature that cannot be used. Verification failures
 * exit 1 (the check failed); unusable keys and files exit 2.
 */
export class SignatureError extends CandorError {
  constructor(
    code: string,
    message: string,
    options?: { hint?: string; cause?: unknown; exitCode?: 1 | 2 },
  ) {
    super(code, message, options);
  }
}
