import type { TrtcCallbackError } from "./errors";
import { log } from "./log";
import type { CallbackFailureInfo } from "./types";

/**
 * The one way failures reach the app's `onError`: traced, and guarded so
 * that what the hook throws or rejects never reaches the request or the
 * process.
 */
export function createReporter<Req>(
  onError: ((error: TrtcCallbackError, info: CallbackFailureInfo<Req>) => unknown) | undefined,
): (error: TrtcCallbackError, info: CallbackFailureInfo<Req>) => void {
  return (error, info) => {
    if (log.error.enabled) log.error("%s %d %s", error.name, error.code, error.message);
    if (onError === undefined) return;
    try {
      const result = onError(error, info) as { then?: unknown } | undefined;
      if (result && typeof result.then === "function") {
        (result as PromiseLike<unknown>).then(undefined, (thrown: unknown) =>
          log.error("onError rejected: %O", thrown),
        );
      }
    } catch (thrown) {
      log.error("onError threw: %O", thrown);
    }
  };
}
