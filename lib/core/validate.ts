import type Joi from "joi";
import { COMMANDS, type CallbackCommand, type CallbackEvent } from "../commands/registry";
import { fastCheck, UNSURE, type Check } from "../commands/fields";
import { ErrorCodes, InvalidEventError } from "./errors";

interface Validator {
  readonly schema: Joi.ObjectSchema;
  readonly check: Check | undefined;
}

// Compiled once, at load: Joi's preferences into each schema, beside the fast
// check its field builders paired with it. The check answers for bodies
// already in normal form (the usual case) in a fraction of Joi's time; Joi
// decides the rest and writes every error message.
const validators = new Map<CallbackCommand, Validator>(
  COMMANDS.map((command) => [
    command.name as CallbackCommand,
    {
      schema: command.schema.prefs({ convert: true, abortEarly: true, allowUnknown: true }),
      check: fastCheck(command.schema),
    },
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
  const validator = validators.get(command);
  if (validator === undefined) throw new Error(`no schema for ${command}`);
  let value = validator.check === undefined ? UNSURE : validator.check(body);
  if (value === UNSURE) {
    const result = validator.schema.validate(body);
    if (result.error) {
      throw new InvalidEventError(
        `invalid ${command} event: ${result.error.message}`,
        ErrorCodes.InvalidEvent,
        400,
      );
    }
    value = result.value;
  }
  const event = value as Record<string, unknown>;
  event["CallbackCommand"] = command;
  return event as CallbackEvent<C>;
}
