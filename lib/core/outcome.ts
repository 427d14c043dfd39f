import { failAck, OK_ACK, type Ack } from "../protocol/ack";
import { ErrorCodes, HandlerError, InternalError, type TrtcCallbackError } from "./errors";

/** What the core decided to answer; an adapter writes it. */
export interface Outcome {
  /** HTTP status. */
  readonly status: number;
  /** The acknowledgement. */
  readonly ack: Readonly<Ack>;
  /** Extra response headers, such as `Allow` for a 405. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Close the connection after answering: the body was not read (an early
   * rejection) or is not worth reading, and a keep-alive connection would
   * otherwise go on draining whatever the client streams.
   */
  readonly close?: boolean;
}

/** The OK outcome, shared: it never changes. */
export const OK: Outcome = Object.freeze({ status: 200, ack: OK_ACK });

/** What a FAIL ack says when a handler failed with something other than a `CallbackError`: the real error stays in-process. */
const HANDLER_FAILED_INFO = "the callback handler failed";

/** What a FAIL ack says for an {@link InternalError}. */
const INTERNAL_ERROR_INFO = "internal error in trtc-room-callbacks";

/**
 * The outcome that answers a failure: its status and code, and its message
 * unless that must stay private. Decided before `onError` sees the error, so
 * nothing a hook does to it reaches Tencent. `bodyRead` is whether the body
 * was read to its end: an answer written before that closes the connection.
 */
export function failureOutcome(error: TrtcCallbackError, bodyRead: boolean): Outcome {
  const info =
    error instanceof HandlerError
      ? HANDLER_FAILED_INFO
      : error instanceof InternalError
        ? INTERNAL_ERROR_INFO
        : String(error.message);
  const close =
    !bodyRead || error.code === ErrorCodes.PayloadTooLarge || error.code === ErrorCodes.BodyTimeout;
  return {
    status: error.status,
    ack: Object.freeze(failAck(error.code, info)),
    ...(error.code === ErrorCodes.MethodNotAllowed ? { headers: { Allow: "POST" } } : {}),
    ...(close ? { close: true } : {}),
  };
}
