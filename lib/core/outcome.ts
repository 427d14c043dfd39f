import { ErrorCodes, HandlerError, InternalError, type TrtcCallbackError } from "./errors";

/** The acknowledgement Tencent expects for every callback. */
export interface Ack {
  /** `OK` when the event was handled, `FAIL` otherwise. */
  ActionStatus: "OK" | "FAIL";
  /** 0 for OK; otherwise one of the documented codes or a handler's own. */
  ErrorCode: number;
  /** Empty for OK; otherwise what went wrong. */
  ErrorInfo: string;
}

/** What the pipeline decided to answer; the transport writes it. */
export interface Outcome {
  /** HTTP status. */
  status: number;
  /** The acknowledgement. */
  ack: Ack;
  /** Extra response headers, such as `Allow` for a 405. */
  headers?: Readonly<Record<string, string>>;
  /** Close the connection after answering: the rest of the request is not worth reading. */
  close?: boolean;
}

/** The OK ack, shared: it never changes. */
export const OK: Outcome = Object.freeze({
  status: 200,
  ack: Object.freeze({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" }),
});

/** A FAIL outcome. */
export function fail(status: number, code: number, info: string, extra?: Partial<Outcome>): Outcome {
  return { status, ack: { ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: info }, ...extra };
}

/** What a FAIL ack says when a handler failed with something other than a `CallbackError`: the real error stays in-process. */
const HANDLER_FAILED_INFO = "the callback handler failed";

/** What a FAIL ack says for an {@link InternalError}. */
const INTERNAL_ERROR_INFO = "internal error in trtc-room-callbacks";

/** The outcome that answers a failure: its status and code, and its message unless that must stay private. */
export function failureOutcome(error: TrtcCallbackError): Outcome {
  const info =
    error instanceof HandlerError
      ? HANDLER_FAILED_INFO
      : error instanceof InternalError
        ? INTERNAL_ERROR_INFO
        : error.message;
  switch (error.code) {
    case ErrorCodes.MethodNotAllowed:
      return fail(error.status, error.code, info, { headers: { Allow: "POST" } });
    case ErrorCodes.PayloadTooLarge:
    case ErrorCodes.BodyTimeout:
      return fail(error.status, error.code, info, { close: true });
    default:
      return fail(error.status, error.code, info);
  }
}
