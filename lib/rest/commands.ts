import { COMMAND_NAMES, lookupCommand, type CallbackCommand } from "../commands/registry";
import type { OpenString } from "../commands/fields";
import { ConfigurationError } from "../core/options";
import { closest } from "../core/suggest";

/** The canonical name of a command or of an older spelling the registry knows; `undefined` for others. */
function canonical(name: string): CallbackCommand | undefined {
  return lookupCommand(name)?.name;
}

/**
 * The `CallbackCommandList` to send: canonical names (which `set_callback`
 * takes, the older update spelling included), each once, in the order given;
 * all six when `commands` is undefined. Throws `ConfigurationError`.
 */
export function commandsToSend(commands: unknown, where: string): CallbackCommand[] {
  if (commands === undefined) return [...COMMAND_NAMES];
  if (!Array.isArray(commands) || commands.length === 0) {
    throw new ConfigurationError(
      `${where}: commands must be a non-empty list of callback commands, such as ["Room.CallbackAfterMemberEnter"], or left out for all six`,
    );
  }
  const list: CallbackCommand[] = [];
  for (const name of commands as unknown[]) {
    const command = typeof name === "string" ? canonical(name) : undefined;
    if (command === undefined) {
      const hint = typeof name === "string" ? closest(name, COMMAND_NAMES) : undefined;
      throw new ConfigurationError(
        `${where}: unknown callback command ${JSON.stringify(name)}${hint ? `; did you mean ${hint}?` : ""} The commands are ${COMMAND_NAMES.join(", ")}`,
      );
    }
    if (!list.includes(command)) list.push(command);
  }
  return list;
}

/** A `CallbackCommandList` as read from Tencent: canonical names, each once; unknown names kept as they are. */
export function commandsRead(list: readonly string[]): OpenString<CallbackCommand>[] {
  const read: OpenString<CallbackCommand>[] = [];
  for (const name of list) {
    const command = canonical(name) ?? name;
    if (!read.includes(command)) read.push(command);
  }
  return read;
}
