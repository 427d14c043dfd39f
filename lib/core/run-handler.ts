import type { Deadline } from "./deadline";
import {
  CallbackError,
  describeThrown,
  ErrorCodes,
  HandlerError,
  HandlerTimeoutError,
  type TrtcCallbackError,
} from "./errors";

/**
 * Calls a handler and settles when it does, or rejects with a
 * {@link HandlerTimeoutError} when the deadline passes first. A settlement
 * after the deadline goes to `late`, never to the caller.
 */
export function runHandler(
  run: () => unknown,
  label: string,
  deadline: Deadline,
  late: (error: TrtcCallbackError) => void,
): Promise<void> | undefined {
  if (deadline.expired) throw timedOut(label, deadline);
  let result: unknown;
  let then: unknown;
  try {
    result = run();
    // Read `then` once, as promise resolution does: a getter may throw or change its answer.
    then = thenOf(result);
  } catch (error) {
    throw asHandlerFailure(error, label);
  }
  if (typeof then !== "function") return undefined;
  return new Promise<void>((resolve, reject) => {
    let state: "pending" | "timed-out" | "done" = "pending";
    deadline.onExpire(() => {
      if (state !== "pending") return;
      state = "timed-out";
      reject(timedOut(label, deadline));
    });
    const settle = (error: TrtcCallbackError | undefined) => {
      if (state === "done") return;
      if (state === "timed-out") {
        state = "done";
        late(
          new HandlerTimeoutError(
            error
              ? `the ${label} handler rejected after its deadline: ${error.message}`
              : `the ${label} handler resolved after its deadline; Tencent was already answered FAIL`,
            ErrorCodes.LateSettlement,
            200,
            { cause: error?.cause ?? error },
          ),
        );
        return;
      }
      state = "done";
      deadline.onExpire(undefined);
      if (error) reject(error);
      else resolve();
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
 * A {@link CallbackError} is reported as a copy, of the same class, message,
 * code and own fields, with the thrown instance as `cause`: the pipeline
 * attaches this request's command and body to what it reports, and a handler
 * may throw one shared (or frozen) instance for many requests. Anything else
 * becomes a {@link HandlerError} with the thrown value as `cause`.
 */
function asHandlerFailure(error: unknown, label: string): TrtcCallbackError {
  if (error instanceof CallbackError) return copyOf(error);
  return new HandlerError(
    `the ${label} handler failed: ${describeThrown(error)}`,
    ErrorCodes.HandlerFailed,
    200,
    {
      cause: error,
    },
  );
}

function copyOf(error: CallbackError): CallbackError {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as CallbackError, error);
  const hidden = { writable: true, configurable: true, enumerable: false };
  const shown = { writable: true, configurable: true, enumerable: true };
  return Object.defineProperties(copy, {
    message: { ...hidden, value: error.message },
    stack: { ...hidden, value: error.stack },
    cause: { ...hidden, value: error },
    command: { ...shown, value: undefined },
    rawBody: { ...shown, value: undefined },
  });
}
