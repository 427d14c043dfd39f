import { lookupCommand } from "../commands/registry";
import { ErrorCodes, InvalidEventError } from "./errors";

/**
 * The `CallbackCommand` a request names: the query's (Tencent puts it there)
 * or else the body's. Throws {@link InvalidEventError} when neither names one,
 * when the body's is not a string, or when the two name different commands
 * (older spellings count as their command).
 */
export function resolveCommand(fromQuery: string | undefined, fromBody: unknown): string {
  if (fromBody !== undefined && typeof fromBody !== "string") {
    throw new InvalidEventError(
      'invalid event: "CallbackCommand" must be a string',
      ErrorCodes.InvalidEvent,
      400,
    );
  }
  const body = fromBody || undefined;
  const received = fromQuery ?? body;
  if (received === undefined) {
    throw new InvalidEventError(
      "CallbackCommand is missing from both the query and the body",
      ErrorCodes.MissingCommand,
      400,
    );
  }
  if (fromQuery !== undefined && body !== undefined && canonical(fromQuery) !== canonical(body)) {
    throw new InvalidEventError(
      `the body's CallbackCommand ${quoteShort(body)} differs from the query's ${quoteShort(fromQuery)}`,
      ErrorCodes.CommandMismatch,
      400,
    );
  }
  return received;
}

/** The canonical name of a received command; an unknown one stays as received. */
export function canonical(name: string): string {
  return lookupCommand(name)?.name ?? name;
}

/** A received name for an error message: quoted, and cut short so a hostile body cannot bloat the ack. */
function quoteShort(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
}
