import type { CallbackCommand } from "../index";

/** The `command` label of a request or call whose command is not one of the six known commands (never the name received: it is unbounded). */
export const UNKNOWN_COMMAND_LABEL = "unknown";

/** The `command` label of a request that was refused before any command was received. */
export const NO_COMMAND_LABEL = "none";

/**
 * The `command` label: the canonical command, or a fixed word, so that a
 * sender cannot grow the number of series by inventing command names.
 */
export function commandLabel(command: CallbackCommand | undefined, received: string | undefined): string {
  if (command !== undefined) return command;
  return received === undefined ? NO_COMMAND_LABEL : UNKNOWN_COMMAND_LABEL;
}
