import type Joi from "joi";
import { COMMANDS, type CallbackCommand, type CallbackEvent } from "../commands/registry";
import { fastCheck, Invalid, UNSURE, type Check } from "../commands/fields";
import { ErrorCodes, InvalidEventError } from "./errors";
import { log } from "./log";

interface Validator {
  readonly schema: Joi.ObjectSchema;
  readonly check: Check | undefined;
}

const PREFS: Joi.ValidationOptions = { convert: true, abortEarly: true, allowUnknown: true };

// Compiled once, at load: Joi's preferences into each schema, beside the fast
// check its field builders paired with it. The check decides every body a
// JSON parser can produce in time linear in its size; Joi writes the message
// of a failure (for the failing value alone, not the whole body) and decides
// values only other code makes (objects with another prototype, holes).
const validators = new Map<CallbackCommand, Validator>(
  COMMANDS.map((command) => [
    command.name as CallbackCommand,
    { schema: command.schema.prefs(PREFS), check: fastCheck(command.schema) },
  ]),
);

/**
 * Validates a parsed body against its command's schema and returns the
 * normalised event (IDs as exact strings, `"true"`/`"false"` as booleans,
 * `null` optional fields removed, unknown fields kept), with
 * `CallbackCommand` set to the canonical name. The event may be `body`
 * itself: the body must be the caller's own (the core's parsed copy); values
 * nested in it are never altered, only copied where they change. Throws
 * {@link InvalidEventError} (4002) naming the first field that breaks the
 * schema, as Joi would.
 */
export function validateEvent<C extends CallbackCommand>(
  command: C,
  body: Record<string, unknown>,
): CallbackEvent<C> {
  const validator = validators.get(command);
  if (validator === undefined) throw new Error(`no schema for ${command}`);
  let value = validator.check === undefined ? UNSURE : validator.check(body);
  if (value instanceof Invalid) throw invalidEvent(command, describeInvalid(value));
  if (value === UNSURE) {
    const result = validator.schema.validate(body);
    if (result.error) throw invalidEvent(command, result.error.message);
    value = result.value;
  }
  const event = value as Record<string, unknown>;
  event["CallbackCommand"] = command;
  return event as CallbackEvent<C>;
}

function invalidEvent(command: string, message: string): InvalidEventError {
  return new InvalidEventError(`invalid ${command} event: ${message}`, ErrorCodes.InvalidEvent, 400);
}

/** Joi's message for the failure, from the failing value alone: the label carries its path. */
function describeInvalid(invalid: Invalid): string {
  const label = pathLabel(invalid.path);
  if (invalid.message !== undefined) return invalid.message(`"${label}"`);
  const { error } = invalid.schema.label(label).validate(invalid.value, PREFS);
  if (error !== undefined) return error.message;
  // The check and Joi disagree: a bug the property tests exist to catch.
  log.error("the fast check refused %s but Joi accepts it alone", label);
  return `"${label}" is invalid`;
}

/** Joi's label for a path: `SeatList[3].Index`. */
function pathLabel(path: readonly (string | number)[]): string {
  let label = "";
  for (const segment of path) {
    if (typeof segment === "number") label += `[${segment}]`;
    else label += label === "" ? segment : `.${segment}`;
  }
  return label;
}
