import { CandorError } from "../errors.js";

/** Invalid agent limits or task settings passed by the caller. */
export class AgentOptionError extends CandorError {
  constructor(message: string) {
    super("agent_option", message, { hint: "Check the task's tools and the agent limits." });
  }
}
