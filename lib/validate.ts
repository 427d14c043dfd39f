import { COMMANDS, type CallbackCommand, type CallbackEvent } from "./commands/registry";
import { ErrorCodes, InvalidEventError } from "./errors";

// Preferences are compiled into each schema once, at load, not merged per call.
const compiled = new Map(
  COMMANDS.map((command) => [
    command.name as CallbackCommand,
    command.schema.prefs({ convert: true, abortEarly: true, allowUnknown: true }),
  ]),
);

/**
 * Validates a parsed body against its command's schema and returns the
 * normalised event (IDs as exact strings, `"true"`/`"false"` as booleans,
 * `null` optional fields removed, unknown fields kept), with
 * `CallbackCommand` set to the canonical name.
 */
export function validateEvent<C extends CallbackCommand>(
  command: C,
  body: Record<string, unknown>,
): CallbackEvent<C> {
  const schema = compiled.get(command);
  if (schema === undefined) throw new Error(`no schema for ${command}`);
  const { error, value } = schema.validate(body);
  if (error) {
    throw new InvalidEventError(`invalid ${command} event: ${error.message}`, ErrorCodes.InvalidEvent, 400);
  }
  const event = value as Record<string, unknown>;
  event["CallbackCommand"] = command;
  return event as CallbackEvent<C>;
}
