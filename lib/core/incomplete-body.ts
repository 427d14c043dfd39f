import type { Deadline } from "./deadline";
import { ErrorCodes, RequestAbortedError, RequestRejectedError, type TrtcCallbackError } from "./errors";

/**
 * What a body reader throws when the body did not arrive whole (the client
 * hung up, the deadline passed): the error to answer with, and the part that
 * did arrive, which the core reports beside the error so the event is not
 * lost without a trace.
 */
export class IncompleteBody {
  constructor(
    readonly error: TrtcCallbackError,
    readonly received: string,
  ) {}
}

/** The deadline passed while the body was still arriving (408), with the part that arrived. */
export function bodyTimeout(deadline: Deadline, received: string): IncompleteBody {
  return new IncompleteBody(
    new RequestRejectedError(`the body did not arrive within ${deadline.ms} ms`, ErrorCodes.BodyTimeout, 408),
    received,
  );
}

/** The client went away before the body was complete (4990), with the part that arrived. */
export function clientGone(received: string): IncompleteBody {
  return new IncompleteBody(
    new RequestAbortedError(
      "the client closed the connection before the body was complete",
      ErrorCodes.RequestAborted,
      499,
    ),
    received,
  );
}

/** The body is larger than `limit` bytes (413). */
export function tooLarge(limit: number): RequestRejectedError {
  return new RequestRejectedError(
    `the body is larger than the limit of ${limit} bytes`,
    ErrorCodes.PayloadTooLarge,
    413,
  );
}
