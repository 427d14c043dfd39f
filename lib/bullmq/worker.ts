import {
  DelayedError,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
  type WorkerOptions,
} from "bullmq";
import createDebug from "debug";
import {
  COMMAND_NAMES,
  ConfigurationError,
  ErrorCodes,
  HandlerError,
  type CallbackCommand,
  type TrtcCallbackError,
} from "../index";
import { nodeTracer } from "../adapters/node/trace";
import { startHandlerTrace } from "../core/trace";
import { checkInteger, checkOptionNames } from "./check-option";
import type { CallbackJobData } from "./job-data";
import { exponentialBackoff, JOB_ATTEMPTS_CEILING, type BackoffFunction } from "./retry-policy";
import { WorkerContext, type CallbackWorkerHandler, type CallbackWorkerHandlers } from "./worker-context";

const log = createDebug("trtc-room-callbacks:bullmq");
const WHERE = "createCallbackWorker";

/** What `onError` learns with each failure in a worker. */
export interface CallbackWorkerErrorInfo {
  /** The job's id. */
  readonly jobId: string;
  /** The job's command, when the job is one of this package's. */
  readonly command: CallbackCommand | undefined;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** How many attempts the worker makes. */
  readonly attempts: number;
  /** Whether the job is now in the failed set (out of attempts, or stalled too often); it is retried otherwise. */
  readonly final: boolean;
  /** The job's data: the event and what the context was built from. */
  readonly data: CallbackJobData | undefined;
  /** The event's JSON (as normalised by the router, IDs exact), to log or replay it. */
  readonly rawBody: string | undefined;
}

/** Options of {@link createCallbackWorker}. */
export interface CallbackWorkerOptions {
  /** BullMQ's connection: ioredis options or instance. Required. */
  connection: ConnectionOptions;
  /** The handlers, the same map the router takes. Jobs of a command without one complete without work. Required. */
  handlers: CallbackWorkerHandlers;
  /**
   * Jobs run at once by this worker. Use 1 on each partition's worker to keep a room's events in order (see `roomQueueNames`).
   *
   * @defaultValue 1
   */
  concurrency?: number | undefined;
  /**
   * Attempts per job, the first included (1 to 100). Applies to jobs already
   * queued: the retry policy is the worker's, not the producer's.
   *
   * @defaultValue 5
   */
  attempts?: number | undefined;
  /**
   * Milliseconds before retry number `n` (from 1).
   *
   * @defaultValue exponential from 1 s, capped at 5 min, ±20 % jitter: about 1, 2, 4, 8 s
   */
  backoff?: BackoffFunction | undefined;
  /**
   * Called with every failed attempt (`info.final` false: it will be
   * retried) and every job that ended in the failed set (`info.final` true).
   * The error is a `HandlerError` whose `cause` is what the handler threw;
   * `info.rawBody` is the event's JSON. What it throws is ignored.
   *
   * @defaultValue none
   */
  onError?: ((error: TrtcCallbackError, info: CallbackWorkerErrorInfo) => unknown) | undefined;
  /**
   * Further BullMQ worker options (`prefix`, `lockDuration`, `stalledInterval`, `maxStalledCount`, …).
   *
   * @defaultValue BullMQ's
   */
  workerOptions?: Omit<WorkerOptions, "connection" | "concurrency"> | undefined;
}

const OPTION_NAMES = [
  "connection",
  "handlers",
  "concurrency",
  "attempts",
  "backoff",
  "onError",
  "workerOptions",
] as const satisfies readonly (keyof CallbackWorkerOptions)[];

// BullMQ's own worker options, often put at the top level by mistake.
const BULLMQ_WORKER_OPTIONS = [
  "prefix",
  "lockDuration",
  "lockRenewTime",
  "stalledInterval",
  "maxStalledCount",
  "limiter",
  "removeOnComplete",
  "removeOnFail",
  "autorun",
  "settings",
  "name",
  "drainDelay",
];

/**
 * A BullMQ `Worker` that runs the queued callbacks through `handlers`: each
 * gets the event as the router would have passed it (18-digit IDs still
 * exact strings) and a {@link CallbackWorkerContext}. A thrown error retries
 * the job after `backoff`; after `attempts` it stays in BullMQ's failed set
 * and `onError` hears of it. `await worker.close()` lets running jobs finish
 * (their `context.signal` aborts first).
 *
 * @example
 * ```ts
 * const worker = createCallbackWorker("trtc-callbacks", { connection, handlers, concurrency: 8, attempts: 5, onError });
 * await worker.close();
 * ```
 */
export function createCallbackWorker(queueName: string, options: CallbackWorkerOptions): Worker {
  if (typeof queueName !== "string" || queueName === "") {
    throw new ConfigurationError(
      `${WHERE} needs the queue's name first: createCallbackWorker("trtc-callbacks", { connection, handlers })`,
    );
  }
  if (options === null || typeof options !== "object") {
    throw new ConfigurationError(`${WHERE} needs options: { connection, handlers }`);
  }
  if (options.connection === undefined || options.connection === null) {
    throw new ConfigurationError(
      `${WHERE}: connection is required, such as { host: "127.0.0.1", port: 6379 } or an ioredis instance`,
    );
  }
  checkOptionNames(WHERE, options, OPTION_NAMES, {
    names: BULLMQ_WORKER_OPTIONS,
    hint: "pass it in workerOptions, such as workerOptions: { lockDuration: 30000 }",
  });
  const handlers = checkHandlers(options.handlers);
  const attempts = checkInteger(WHERE, "attempts", options.attempts, 5, 1, JOB_ATTEMPTS_CEILING);
  const concurrency = checkInteger(WHERE, "concurrency", options.concurrency, 1, 1, 10_000);
  if (options.backoff !== undefined && typeof options.backoff !== "function") {
    throw new ConfigurationError(`${WHERE}: backoff must be a function (attempt) => milliseconds`);
  }
  const backoff = options.backoff ?? exponentialBackoff();
  const report = reporter(options.onError);
  const running = new Set<AbortController>();
  // Errors this worker threw itself, already reported: the "failed" event must not report them twice.
  const reported = new WeakSet<Error>();

  let closing = false;

  const processor = async (job: Job, token?: string, cancel?: AbortSignal): Promise<void> => {
    const data = job.data as CallbackJobData;
    const handler = handlers.get(data.command);
    if (handler === undefined) {
      log("%s job %s: no handler, completed without work", data.command, job.id);
      return;
    }
    const controller = new AbortController();
    running.add(controller);
    // BullMQ's own signal (a lost lock, a cancelled job) aborts the handler's too; AbortSignal.any needs Node 20.3.
    const onCancel = () => controller.abort(cancel?.reason);
    if (cancel?.aborted) onCancel();
    else cancel?.addEventListener("abort", onCancel, { once: true });
    const attempt = job.attemptsMade + 1;
    const jobId = job.id ?? "";
    const final = attempt >= attempts;
    const trace = startHandlerTrace(nodeTracer?.handler, () => ({
      adapter: "bullmq",
      command: data.command,
      receivedCommand: data.receivedCommand,
      sdkAppId: data.sdkAppId,
      jobId,
      attempt,
      final,
    }));
    try {
      const call = () =>
        handler(data.event, new WorkerContext(data, jobId, attempt, attempts, controller.signal));
      await (trace === undefined ? call() : trace.run(call));
      trace?.settle("ok");
    } catch (thrown) {
      // Stopped because this worker is closing (the handler honoured context.signal, as it should):
      // the job goes back to wait for another worker, without using an attempt or failing for good.
      if (closing && controller.signal.aborted && token !== undefined && (await putBack(job, token))) {
        trace?.settle("fail", thrown);
        log(
          "%s job %s: stopped by the worker's close, put back without using an attempt",
          data.command,
          jobId,
        );
        throw new DelayedError();
      }
      const text = describe(thrown);
      const error = new HandlerError(
        `the ${data.command} handler failed (attempt ${attempt} of ${attempts}): ${text}`,
        ErrorCodes.HandlerFailed,
        200,
        { cause: thrown },
      );
      trace?.settle("fail", error);
      const rawBody = JSON.stringify(data.event);
      report(error, { jobId, command: data.command, attempt, attempts, final, data, rawBody });
      // An UnrecoverableError fails the job now: the attempts left at enqueue are the ceiling, not the policy.
      const failure = final ? new UnrecoverableError(text) : new Error(text);
      reported.add(failure);
      throw failure;
    } finally {
      running.delete(controller);
      cancel?.removeEventListener("abort", onCancel);
    }
  };

  const worker = new Worker(queueName, processor, {
    ...options.workerOptions,
    connection: options.connection,
    concurrency,
    settings: {
      ...options.workerOptions?.settings,
      backoffStrategy: (attemptsMade: number) => backoff(attemptsMade),
    },
  });
  worker.on("closing", () => {
    closing = true;
    for (const controller of running) controller.abort(new Error("the worker is closing"));
  });
  // Failures the processor did not see: a job that stalled more often than maxStalledCount.
  worker.on("failed", (job, error) => {
    if (job === undefined || reported.has(error)) return;
    const data = job.data as CallbackJobData | undefined;
    const command = COMMAND_NAMES.includes(data?.command as CallbackCommand) ? data?.command : undefined;
    report(
      new HandlerError(`job ${job.id} failed: ${error.message}`, ErrorCodes.HandlerFailed, 200, {
        cause: error,
      }),
      {
        jobId: job.id ?? "",
        command,
        attempt: job.attemptsMade,
        attempts,
        final: true,
        data,
        rawBody: data?.event === undefined ? undefined : JSON.stringify(data.event),
      },
    );
  });
  if (worker.listenerCount("error") === 0) {
    worker.on("error", (error) => log("worker error: %s", error.message));
  }
  return worker;
}

function checkHandlers(value: unknown): Map<CallbackCommand, CallbackWorkerHandler> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigurationError(
      `${WHERE}: handlers must be an object keyed by command, the same map the router takes, such as { "Room.CallbackAfterMemberEnter": handler }`,
    );
  }
  const handlers = new Map<CallbackCommand, CallbackWorkerHandler>();
  for (const [key, handler] of Object.entries(value)) {
    if (!COMMAND_NAMES.includes(key as CallbackCommand)) {
      throw new ConfigurationError(
        `${WHERE}: handlers has ${JSON.stringify(key)}, which is not a command name. Commands: ${COMMAND_NAMES.join(", ")}`,
      );
    }
    if (handler === undefined) continue;
    if (typeof handler !== "function") {
      throw new ConfigurationError(`${WHERE}: handlers["${key}"] must be a function`);
    }
    handlers.set(key as CallbackCommand, handler as CallbackWorkerHandler);
  }
  return handlers;
}

function reporter(
  onError: CallbackWorkerOptions["onError"],
): (error: TrtcCallbackError, info: CallbackWorkerErrorInfo) => void {
  if (onError !== undefined && typeof onError !== "function") {
    throw new ConfigurationError(`${WHERE}: onError must be a function`);
  }
  return (error, info) => {
    log("job %s: %s", info.jobId, error.message);
    if (onError === undefined) return;
    try {
      Promise.resolve(onError(error, info)).catch((thrown: unknown) => log("onError rejected: %O", thrown));
    } catch (thrown) {
      log("onError threw: %O", thrown);
    }
  };
}

function describe(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return "a value that cannot be turned into text";
  }
}

/** Moves a running job back to be run again now, by any worker; `false` when Redis would not. */
async function putBack(job: Job, token: string): Promise<boolean> {
  try {
    await job.moveToDelayed(Date.now(), token);
    return true;
  } catch (error) {
    log("job %s could not be put back (%s): it counts as a failed attempt", job.id, describe(error));
    return false;
  }
}
