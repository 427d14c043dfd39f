import type { CallbackCommand, CallbackContext, CallbackEvent } from "../index";
import type { CallbackJobData } from "./job-data";

/**
 * A handler's context in a worker: what the router's context has (command,
 * SdkAppid, ClientIP, OptPlatform, RequestTime), plus the job. There is no
 * HTTP request in a worker: `request` is typed `never` (so a handler map
 * written for the router is accepted) and reading it throws.
 */
export interface CallbackWorkerContext<C extends CallbackCommand = CallbackCommand> extends CallbackContext<
  C,
  never
> {
  /** The BullMQ job id, derived from the event: the same for every delivery of one callback. */
  readonly jobId: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  /** How many attempts the worker makes before the job fails for good. */
  readonly attempts: number;
  /** When the router received the callback, Unix time in milliseconds. */
  readonly receivedAt: number;
  /**
   * Aborted when the worker closes (`close()` still waits for the handler)
   * or BullMQ cancels the job: pass it to `fetch`, drivers and timers.
   */
  readonly signal: AbortSignal;
}

/** Handles one command in a worker. Resolve to complete the job; throw or reject to retry it. */
export type CallbackWorkerHandler<C extends CallbackCommand = CallbackCommand> = (
  event: CallbackEvent<C>,
  context: CallbackWorkerContext<C>,
) => unknown;

/**
 * Handlers for {@link createCallbackWorker}, keyed by canonical command.
 * Accepts the same map as `createCallbackRouter` (a `CallbackHandlers`), as
 * long as those handlers do not read `context.request`.
 */
export type CallbackWorkerHandlers = {
  [C in CallbackCommand]?: CallbackWorkerHandler<C>;
};

/** The worker's context of one attempt of one job. */
export class WorkerContext implements CallbackWorkerContext {
  readonly command: CallbackCommand;
  readonly receivedCommand: string;
  readonly sdkAppId: string;
  readonly clientIp: string | undefined;
  readonly optPlatform: string | undefined;
  readonly requestTime: number | undefined;
  readonly receivedAt: number;

  constructor(
    data: CallbackJobData,
    readonly jobId: string,
    readonly attempt: number,
    readonly attempts: number,
    readonly signal: AbortSignal,
  ) {
    this.command = data.command;
    this.receivedCommand = data.receivedCommand;
    this.sdkAppId = data.sdkAppId;
    this.clientIp = data.clientIp;
    this.optPlatform = data.optPlatform;
    this.requestTime = data.requestTime;
    this.receivedAt = data.receivedAt;
  }

  // A getter on the class, so `{ ...context }` does not throw.
  get request(): never {
    throw new TypeError(
      `context.request: ${this.command} job ${this.jobId} runs in a worker, where there is no HTTP request. Read what the handler needs from the event and the context (sdkAppId, clientIp, optPlatform, receivedAt)`,
    );
  }
}
