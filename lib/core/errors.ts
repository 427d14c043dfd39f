/**
 * Every failure the router reports, to the FAIL acknowledgement and to
 * `onError`, is one of these classes. `code` is the stable number sent as the
 * ack's `ErrorCode`; each is listed in the README's table of error codes.
 */

/** The numbers sent as `ErrorCode` in FAIL acknowledgements, one per situation. */
export const ErrorCodes = {
  /** The body is not JSON, not valid UTF-8, or not a JSON object. */
  InvalidJson: 4001,
  /** The body does not match the command's schema; `ErrorInfo` names the field. */
  InvalidEvent: 4002,
  /** The body's `CallbackCommand` differs from the query's. */
  CommandMismatch: 4003,
  /** Neither the query nor the body names a `CallbackCommand`. */
  MissingCommand: 4004,
  /** A token is configured and the query lacks `Sign` or `RequestTime`. */
  MissingSignature: 4011,
  /** `Sign` or `RequestTime` is malformed or repeated. */
  MalformedSignature: 4012,
  /** `Sign` does not match the token and `RequestTime`. */
  WrongSignature: 4013,
  /** `RequestTime` is more than 60 s away from now: a replay or a wrong clock. */
  ExpiredSignature: 4014,
  /** The query has no `SdkAppid`. */
  MissingSdkAppId: 4031,
  /** The query has `SdkAppid` more than once. */
  RepeatedSdkAppId: 4032,
  /** The query's `SdkAppid` is not the router's. */
  WrongSdkAppId: 4033,
  /** The method is not POST. */
  MethodNotAllowed: 4050,
  /** The body did not arrive before the deadline. */
  BodyTimeout: 4080,
  /** The body is larger than `limit`. */
  PayloadTooLarge: 4130,
  /** The client closed the connection before the body was complete; no ack could be sent. */
  RequestAborted: 4990,
  /** The handler threw or rejected with something other than a {@link CallbackError}. */
  HandlerFailed: 5000,
  /** Default code of a {@link CallbackError} thrown without one. */
  CallbackFailed: 5001,
  /** The handler did not settle before the deadline. */
  HandlerTimeout: 5002,
  /** The handler settled after its deadline had already been acknowledged as FAIL. */
  LateSettlement: 5003,
  /** A fault in this package, or a pre-parsed body it could not read; a bug to report. */
  Internal: 5900,
  /** The fetch handler got a `Request` whose body the app had already read: pass the original, unread `Request`. */
  BodyAlreadyRead: 5901,
} as const;

/** One of {@link ErrorCodes}, or a code a handler chose through {@link CallbackError}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Options of the error classes' constructors. */
export interface FailureDetails {
  /** What caused this error, such as the error a handler threw. */
  cause?: unknown;
}

/**
 * Base class of every error the router reports. `code` is sent as the ack's
 * `ErrorCode`, `status` as the HTTP status, and `message` as `ErrorInfo`
 * (except for {@link HandlerError} and {@link InternalError}, whose messages
 * never leave the process). Errors are never changed once made: what the
 * router knew about the request (its command, its body) reaches `onError`
 * beside the error, in its second argument.
 */
export class TrtcCallbackError extends Error {
  /** The ack's `ErrorCode`. */
  readonly code: number;
  /** The HTTP status of the response (200 for handler failures, which Tencent must see as delivered). */
  readonly status: number;

  constructor(message: string, code: number, status: number, details: FailureDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/**
 * Throw this from a handler to choose the FAIL ack's `ErrorCode` and
 * `ErrorInfo`. Anything else a handler throws is acked with a generic
 * `ErrorCode` 5000 and reported to `onError` only.
 *
 * @example
 * ```ts
 * throw new CallbackError("seat sync failed", { code: 4321 });
 * ```
 */
export class CallbackError extends TrtcCallbackError {
  /**
   * @param message - sent to Tencent as `ErrorInfo`
   * @param options.code - sent as `ErrorCode`; a non-zero integer. Default 5001.
   * @param options.cause - kept on the error for `onError`, never sent
   */
  constructor(message: string, options: { code?: number; cause?: unknown } = {}) {
    const code = options.code ?? ErrorCodes.CallbackFailed;
    if (!Number.isSafeInteger(code) || code === 0) {
      throw new TypeError(
        `CallbackError code must be a non-zero integer (0 means success to Tencent); got ${String(code)}`,
      );
    }
    super(message, code, 200, { cause: options.cause });
  }
}

/**
 * A thrown value as text for a message, whatever it is: a null-prototype
 * object has no `toString`, and a revoked `Proxy` throws on any inspection,
 * `instanceof` included.
 */
export function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return "a value that cannot be turned into text";
  }
}

/** The request was rejected before any handler ran (HTTP 4xx). */
export class RequestRejectedError extends TrtcCallbackError {}

/** The body is not JSON, or does not match the command's schema (HTTP 400). */
export class InvalidEventError extends RequestRejectedError {}

/** The request is not for this app (HTTP 403). */
export class SdkAppIdError extends RequestRejectedError {}

/** A token is configured and the request's `Sign`/`RequestTime` does not prove it (HTTP 401). */
export class SignatureError extends RequestRejectedError {}

/** The handler threw or rejected with something other than a {@link CallbackError}; the thrown value is `cause`. */
export class HandlerError extends TrtcCallbackError {}

/** The handler did not settle before the deadline (FAIL ack), or settled after it (reported only). */
export class HandlerTimeoutError extends TrtcCallbackError {}

/** A fault in the router itself (HTTP 500); `cause` is what was thrown. Its message is never sent. */
export class InternalError extends TrtcCallbackError {}

/** The client went away before the body was complete: no ack was sent. */
export class RequestAbortedError extends TrtcCallbackError {}
