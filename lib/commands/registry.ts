import { createRoom } from "./create-room";
import type { CommandDefinition } from "./define-command";
import { destroyRoom } from "./destroy-room";
import { memberEnter } from "./member-enter";
import { memberLeave } from "./member-leave";
import { seatInfoChanged } from "./seat-info-changed";
import { updateRoomInfo } from "./update-room-info";

/**
 * The six Room callbacks (https://trtc.io/document/60720). Every other list
 * of commands, type or table derives from this one.
 */
export const COMMANDS = [
  createRoom,
  destroyRoom,
  updateRoomInfo,
  memberEnter,
  memberLeave,
  seatInfoChanged,
] as const;

type Definition = (typeof COMMANDS)[number];

/** The canonical name of a Room callback command. */
export type CallbackCommand = Definition["name"];

/** The validated, normalised event a handler receives for command `C`. */
export type CallbackEvent<C extends CallbackCommand = CallbackCommand> =
  Extract<Definition, { name: C }> extends CommandDefinition<C, infer Event> ? Event : never;

/** The canonical command names, in registry order. */
export const COMMAND_NAMES: readonly CallbackCommand[] = COMMANDS.map((command) => command.name);

const byName = new Map<string, Definition>();
for (const command of COMMANDS) {
  for (const name of [command.name, ...command.aliases]) byName.set(name, command);
}

/** The command a received `CallbackCommand` (canonical or older spelling) stands for, if it is one of ours. */
export function lookupCommand(name: string): Definition | undefined {
  return byName.get(name);
}

/** Whether `name` is a canonical command name. */
export function isCallbackCommand(name: string): name is CallbackCommand {
  return byName.get(name)?.name === name;
}
