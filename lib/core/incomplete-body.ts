import type { TrtcCallbackError } from "./errors";

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
