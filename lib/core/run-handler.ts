import type { Deadline } from "./deadline";
import {
  CallbackError,
  describeThrown,
  ErrorCodes,
  HandlerError,
  HandlerTimeoutError,
  type TrtcCallbackError,
} from "./errors";

/** Where a handler's failures go besides the result. */
export interface HandlerWatch {
  /** Called synchronously when the deadline passes first, before `context.signal` aborts. */
  timedOut(error: HandlerTimeoutError): void;
  /** Called with a settlement that came after the deadline. */
  late(error: HandlerTimeoutError): void;
}

/**
 * Calls a handler and resolves to `undefined` when it settled in time, or to
 * its failure: what it threw or rejected with, as a {@link TrtcCallbackError}.
 * When the deadline passes first, `watch.timedOut` hears it at once and the
 * result is the timeout; a settlement after that goes to `watch.late`.
 * Never throws, whatever the handler throws or returns.
 */
export function runHandler(
  run: () => unknown,
  label: string,
  deadline: Deadline,
  watch: HandlerWatch,
): TrtcCallbackError | undefined | Promise<TrtcCallbackError | undefined> {
  if (deadline.expired) return timedOut(label, deadline);
  let result: unknown;
  let then: unknown;
  try {
    result = run();
    // Read `then` once, as promise resolution does: a getter may throw or change its answer.
    then = thenOf(result);
  } catch (error) {
    return asHandlerFailure(error, label);
  }
  // A synchronous handler may have blocked the event loop past the deadline: the clock decides.
  if (typeof then !== "function") return deadline.expired ? timedOut(label, deadline) : undefined;
  return new Promise<TrtcCallbackError | undefined>((resolve) => {
    let state: "pending" | "timed-out" | "done" = "pending";
    deadline.onExpire(() => {
      if (state !== "pending") return;
      state = "timed-out";
      const error = timedOut(label, deadline);
      watch.timedOut(error);
      resolve(error);
    });
    const settle = (error: TrtcCallbackError | undefined) => {
      if (state === "done") return;
      // Settled, but the clock ran out while the event loop was blocked: `expired` runs the listener above.
      if (state === "pending" && deadline.expired) state = "timed-out";
      if (state === "timed-out") {
        state = "done";
        watch.late(
          new HandlerTimeoutError(
            error
              ? `the ${label} handler rejected after its deadline: ${describeThrown(error)}`
              : `the ${label} handler resolved after its deadline; Tencent was already answered FAIL`,
            ErrorCodes.LateSettlement,
            200,
            { cause: error instanceof HandlerError ? error.cause : error },
          ),
        );
        return;
      }
      state = "done";
      deadline.onExpire(undefined);
      resolve(error);
    };
    try {
      (then as PromiseLike<unknown>["then"]).call(
        result,
        () => settle(undefined),
        (error: unknown) => settle(asHandlerFailure(error, label)),
      );
    } catch (error) {
      settle(asHandlerFailure(error, label));
    }
  });
}

function thenOf(value: unknown): unknown {
  return value !== null && (typeof value === "object" || typeof value === "function")
    ? (value as { then?: unknown }).then
    : undefined;
}

function timedOut(label: string, deadline: Deadline): HandlerTimeoutError {
  return new HandlerTimeoutError(
    `the ${label} handler did not finish within ${deadline.ms} ms`,
    ErrorCodes.HandlerTimeout,
    200,
  );
}

/**
 * A {@link CallbackError} is reported as thrown (errors are never changed,
 * so one shared or frozen instance may serve many requests). Anything else,
 * even a value whose inspection throws (a revoked `Proxy`), becomes a
 * {@link HandlerError} with the thrown value as `cause`.
 */
function asHandlerFailure(error: unknown, label: string): TrtcCallbackError {
  if (isCallbackError(error)) return error;
  return new HandlerError(
    `the ${label} handler failed: ${describeThrown(error)}`,
    ErrorCodes.HandlerFailed,
    200,
    {
      cause: error,
    },
  );
}

function isCallbackError(value: unknown): value is CallbackError {
  try {
    return value instanceof CallbackError;
  } catch {
    return false;
  }
}
