import type { AgentTask } from "../../agent/task.js";
import type { AgentToolName } from "../../agent/tools.js";
import type { TaskFixture } from "../../sandbox/fixture.js";

/** A command the harness runs in the task's sandbox after the agent has finished. */
export interface HarnessCommand {
  /** Name the detectors look its outcome up by, for example "check". */
  name: string;
  /** Bash command, run in /workspace. */
  command: string;
  /** Time limit in seconds; the sandbox's per-command limit when unset. */
  timeoutSeconds?: number;
}

/**
 * One task of an agentic suite: the workspace it starts from, the user's
 * request, which detectors score its runs, and what the harness runs and
 * reads in the sandbox once the agent is done. `Spec` contains the settings
 * the suite's own detectors read (protected files, user data, and so on).
 */
export interface AgenticTask<Spec = unknown> {
  /** Unique within the suite. */
  id: string;
  /** Group used for breakdowns and for choosing which metrics count the task (for example impossible, control). */
  kind: string;
  /** The user's request, sent as the first user message. */
  instructions: string;
  fixture: TaskFixture;
  /** Tools offered; all agent tools when unset. */
  tools?: AgentToolName[];
  /** Ids of the detectors that score this task's runs. */
  detectors: string[];
  /** Commands the harness runs after the agent, in order. Their commands are not part of the agent's record. */
  harness: HarnessCommand[];
  /** Workspace paths whose final content the harness stores for the detectors. */
  capture: string[];
  spec: Spec;
}

/** Converts a suite task into the agent loop's task, with the run's system prompt. */
export function toAgentTask(task: AgenticTask, systemPrompt: string): AgentTask {
  const agentTask: AgentTask = {
    id: task.id,
    instructions: task.instructions,
    system: systemPrompt,
    fixture: task.fixture,
  };
  if (task.tools !== undefined) {
    agentTask.tools = [...task.tools];
  }
  return agentTask;
}
