import type { JobsOptions, Queue } from "bullmq";
import createDebug from "debug";
import {
  CallbackError,
  COMMAND_NAMES,
  ConfigurationError,
  type CallbackCommand,
  type CallbackContext,
  type CallbackEvent,
  type CallbackHandlers,
} from "../index";
import { callbackJobId, type CallbackJobData } from "./job-data";
import { checkInteger, checkOptionNames } from "./check-option";
import { checkProducerConnection } from "./producer-connection";
import { BACKOFF_TYPE, JOB_ATTEMPTS_CEILING } from "./retry-policy";

const log = createDebug("trtc-room-callbacks:bullmq");
const WHERE = "enqueueCallbacks";

/** Options of {@link enqueueCallbacks}. */
export interface EnqueueOptions {
  /**
   * The commands to queue; the router acks the others OK unvalidated, as for
   * any command without a handler.
   *
   * @defaultValue all six commands
   */
  commands?: readonly CallbackCommand[] | undefined;
  /**
   * Milliseconds to wait for Redis to store the job before the ack is FAIL.
   * Keep it below the router's `timeoutMs` (default 1500), so that the FAIL
   * carries this package's message and `onError` hears of it once.
   *
   * @defaultValue 1000
   */
  timeoutMs?: number | undefined;
  /**
   * Seconds a completed job is kept. While it is kept, the same callback
   * delivered again is recognised by its job id and not run again.
   *
   * @defaultValue 86400 (24 hours)
   */
  keepCompletedSeconds?: number | undefined;
  /**
   * Seconds a job that ran out of attempts is kept in the failed set, for
   * `trtc-room-callbacks queue retry`. `undefined` keeps it until it is
   * retried or removed.
   *
   * @defaultValue undefined (kept)
   */
  keepFailedSeconds?: number | undefined;
}

const OPTION_NAMES = [
  "commands",
  "timeoutMs",
  "keepCompletedSeconds",
  "keepFailedSeconds",
] as const satisfies readonly (keyof EnqueueOptions)[];

/** The BullMQ queue-side part {@link enqueueCallbacks} uses. */
export type CallbackQueue = Pick<Queue, "add" | "waitUntilReady" | "on" | "listenerCount" | "opts">;

/**
 * Handlers for `createCallbackRouter` that make each validated event durable
 * instead of handling it: each adds one BullMQ job (the event and what the
 * worker's context needs) and resolves once Redis has it, so Tencent gets OK
 * only for a stored event. When Redis is down, refuses or stalls, the ack is
 * FAIL within `timeoutMs` and the router's `onError` gets the event with its
 * `rawBody`. The job id derives from the event, so a callback delivered twice
 * is one job.
 *
 * The queue's connection must fail fast (`enableOfflineQueue: false` and a
 * `commandTimeout`), or this throws a `ConfigurationError` saying so. An
 * `error` listener that traces with `DEBUG=trtc-room-callbacks:bullmq` is
 * added to a queue that has none.
 *
 * @example
 * ```ts
 * const queue = new Queue("trtc-callbacks", { connection: { enableOfflineQueue: false, commandTimeout: 1000 } });
 * app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers: enqueueCallbacks(queue) }));
 * ```
 */
export function enqueueCallbacks(
  queue: CallbackQueue,
  options: EnqueueOptions = {},
): CallbackHandlers<unknown> {
  if (queue === null || typeof queue !== "object" || typeof queue.add !== "function") {
    throw new ConfigurationError(
      'enqueueCallbacks needs a BullMQ Queue: enqueueCallbacks(new Queue("trtc-callbacks", { connection }))',
    );
  }
  if (options === null || typeof options !== "object") {
    throw new ConfigurationError(`${WHERE}: options must be an object, such as { timeoutMs: 1000 }`);
  }
  checkProducerConnection(queue);
  checkOptionNames(WHERE, options, OPTION_NAMES, {
    names: ["attempts", "backoff", "removeOnComplete", "removeOnFail", "jobId", "delay", "priority"],
    hint: "retries are the worker's (createCallbackWorker's attempts and backoff); keeping jobs is keepCompletedSeconds and keepFailedSeconds",
  });
  const commands = checkCommands(options.commands);
  const timeoutMs = checkInteger(WHERE, "timeoutMs", options.timeoutMs, 1000, 1, 60_000);
  const keepCompleted = checkInteger(
    WHERE,
    "keepCompletedSeconds",
    options.keepCompletedSeconds,
    86_400,
    1,
    2 ** 31,
  );
  const keepFailed =
    options.keepFailedSeconds === undefined
      ? undefined
      : checkInteger(WHERE, "keepFailedSeconds", options.keepFailedSeconds, 0, 1, 2 ** 31);
  const jobOptions: JobsOptions = {
    attempts: JOB_ATTEMPTS_CEILING,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: keepCompleted },
    removeOnFail: keepFailed === undefined ? false : { age: keepFailed },
  };
  if (queue.listenerCount("error") === 0) {
    queue.on("error", (error: Error) => log("queue error: %s", error.message));
  }

  const enqueue = async (
    event: CallbackEvent,
    context: CallbackContext<CallbackCommand, unknown>,
  ): Promise<void> => {
    const data: CallbackJobData = {
      command: context.command,
      receivedCommand: context.receivedCommand,
      sdkAppId: context.sdkAppId,
      clientIp: context.clientIp,
      optPlatform: context.optPlatform,
      requestTime: context.requestTime,
      receivedAt: Date.now(),
      event,
    };
    const jobId = callbackJobId(data.sdkAppId, data.command, event);
    await withinDeadline(timeoutMs, context.signal, async (expired) => {
      await queue.waitUntilReady();
      // Given up already: adding now would store an event Tencent was told had failed.
      if (expired()) return;
      await queue.add(data.command, data, { ...jobOptions, jobId });
      log("%s queued as %s", data.command, jobId);
    });
  };

  const handlers: Record<string, typeof enqueue> = {};
  for (const command of commands) handlers[command] = enqueue;
  return handlers as CallbackHandlers<unknown>;
}

/**
 * Runs `work`, rejecting with a {@link CallbackError} when it fails, when
 * `timeoutMs` passes or when the router's deadline aborts `signal`, whichever
 * is first. `work` is told through `expired()` whether that happened.
 */
function withinDeadline(
  timeoutMs: number,
  signal: AbortSignal,
  work: (expired: () => boolean) => Promise<void>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error: CallbackError | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () =>
      finish(
        new CallbackError("the event was not queued before the router's deadline", { cause: signal.reason }),
      );
    const timer = setTimeout(
      () =>
        finish(new CallbackError(`the event was not queued: Redis did not confirm within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref();
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    work(() => done).then(
      () => finish(undefined),
      (error: unknown) =>
        finish(new CallbackError("the event was not queued: Redis did not accept it", { cause: error })),
    );
  });
}

function checkCommands(value: readonly CallbackCommand[] | undefined): readonly CallbackCommand[] {
  if (value === undefined) return COMMAND_NAMES;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(
      `enqueueCallbacks: commands must be a non-empty array of command names, such as ["Room.CallbackAfterMemberEnter"]; leave it out for all six`,
    );
  }
  for (const command of value) {
    if (!COMMAND_NAMES.includes(command)) {
      throw new ConfigurationError(
        `enqueueCallbacks: commands has ${JSON.stringify(command)}, which is not a command. Commands: ${COMMAND_NAMES.join(", ")}`,
      );
    }
  }
  return value;
}
