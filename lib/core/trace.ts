import type { CallbackCommand } from "../commands/registry";
import { ErrorCodes, type TrtcCallbackError } from "./errors";
import type { Outcome } from "./outcome";

/**
 * The names of the package's tracing channels, for
 * `diagnostics_channel.tracingChannel(name)`:
 *
 * - `request` (`trtc-room-callbacks:request`): one operation per request, from
 *   its arrival to the written ack. Its message is a {@link RequestTraceMessage}.
 * - `handler` (`trtc-room-callbacks:handler`): one operation per handler call,
 *   in the router (including `onUnknownCommand`) and in the durable worker.
 *   Its message is a {@link HandlerTraceMessage}.
 *
 * Each operation publishes the tracing channel's events in this order, each
 * once: `start` (stores bound with `bindStore` are active for the rest of the
 * operation), `end` (its synchronous part returned or threw), `error` (only
 * for a failure: `message.error` is set), then `asyncStart` and `asyncEnd`
 * once the outcome is known, even when the handler returned synchronously:
 * `asyncEnd` always marks the end. Nothing is built or published while no one
 * subscribes.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from "node:diagnostics_channel";
 * diagnosticsChannel.tracingChannel(TRACE_CHANNELS.request).subscribe({
 *   asyncEnd: (message) => console.log(message.command, message.status, message.errorCode),
 * });
 * ```
 */
export const TRACE_CHANNELS = Object.freeze({
  request: "trtc-room-callbacks:request",
  handler: "trtc-room-callbacks:handler",
} as const);

/** The transports that publish traces, as named in their messages; `"testing"` is the testing kit. */
export type TraceAdapterName = "express" | "node" | "fetch" | "fastify" | "testing";

/**
 * What became of a request's event, in {@link RequestTraceMessage.handled}:
 *
 * - `"handler"`: the command's handler ran.
 * - `"unknown-command-handler"`: the command is not one of the six known ones and `onUnknownCommand` ran.
 * - `"no-handler"`: a known command without a handler: acked OK, unvalidated, nothing else done.
 * - `"unknown-command"`: an unknown command (a new one, or a known one spelled differently:
 *   another case, a trailing `%00`) and no `onUnknownCommand`: acked OK, nothing else done.
 * - `"rejected"`: the request failed before any handler could run (method, SdkAppid,
 *   signature, body, validation): the ack is a FAIL.
 */
export type HandledBy = "handler" | "unknown-command-handler" | "no-handler" | "unknown-command" | "rejected";

/**
 * The message of the `trtc-room-callbacks:request` tracing channel. The same
 * object travels through all of a request's events: at `start` only
 * `adapter`, `method` and `request` are set; the rest are filled in by
 * `asyncEnd`, once the ack is written.
 *
 * @typeParam Req - the transport's request type.
 */
export interface RequestTraceMessage<Req = unknown> {
  /** The transport that received the request. */
  readonly adapter: TraceAdapterName;
  /** HTTP method. */
  readonly method: string;
  /** The transport's request object (to read trace-context headers, for example). */
  readonly request: Req;
  /** The canonical command, when the command received is one of the six known commands. */
  command: CallbackCommand | undefined;
  /** `CallbackCommand` as received (query first, then body), when one was received. Unbounded: do not use it as a metric label. */
  receivedCommand: string | undefined;
  /** The query's `SdkAppid`, as received. */
  sdkAppId: string | undefined;
  /** What became of the event. @defaultValue `"rejected"` until a handler is chosen */
  handled: HandledBy;
  /** The HTTP status answered; 0 until the ack is written. */
  status: number;
  /** The ack's `ActionStatus`; `""` until the ack is written. */
  actionStatus: "OK" | "FAIL" | "";
  /** The ack's `ErrorCode`: 0 for OK. */
  errorCode: number;
  /** The failure that made the ack a FAIL (also published on the `error` event); `undefined` for OK. */
  error?: unknown;
}

/**
 * What became of a handler call, in {@link HandlerTraceMessage.outcome}:
 * `"ok"` (it settled in time), `"fail"` (it threw or rejected), `"timeout"`
 * (in the router: the deadline passed first; the trace ends at the deadline,
 * a later settlement goes to `onError` only). `""` until it is known.
 */
export type HandlerOutcome = "ok" | "fail" | "timeout" | "";

/**
 * The message of the `trtc-room-callbacks:handler` tracing channel, one per
 * handler call. Its `start` runs the handler inside stores bound to the
 * channel, so a tracer's span is the parent of the handler's own work.
 */
export interface HandlerTraceMessage {
  /** Where the handler runs: a router's transport, or `"bullmq"` for the durable worker. */
  readonly adapter: TraceAdapterName | "bullmq";
  /** The canonical command; `undefined` for `onUnknownCommand`. */
  readonly command: CallbackCommand | undefined;
  /** `CallbackCommand` as received. Unbounded for unknown commands: do not use it as a metric label. */
  readonly receivedCommand: string;
  /** The event's `SdkAppid` (the query's, in the router), when known. */
  readonly sdkAppId: string | undefined;
  /** In the worker: the job's id. */
  readonly jobId?: string | undefined;
  /** In the worker: this attempt's number, from 1. */
  readonly attempt?: number | undefined;
  /** In the worker: whether a failure of this attempt puts the job in the failed set (no attempt left). */
  readonly final?: boolean | undefined;
  /** How the call ended; `""` until it has. */
  outcome: HandlerOutcome;
  /** What the handler threw or rejected with, or the timeout; set for `"fail"` and `"timeout"`. */
  error?: unknown;
}

/**
 * One tracing channel as the core uses it: the core never imports
 * `node:diagnostics_channel` itself (the fetch entry must load where it does
 * not exist), so an adapter injects this.
 */
export interface TraceChannel<M extends object> {
  /** Whether anyone subscribes now: checked before a message is built, so tracing costs nothing without subscribers. */
  readonly hasSubscribers: boolean;
  /** Publishes `start` with stores bound, runs `fn`, then publishes `end` (also when `fn` throws: the caller records that in {@link finish}). */
  run<T>(message: M, fn: () => T): T;
  /** Publishes the operation's end: `error` first when `message.error` is set, then `asyncStart` and `asyncEnd`. */
  finish(message: M): void;
}

/** The package's two channels, given to the core by a Node adapter (see `createCallbackHandle`'s `Adapter`). */
export interface Tracer {
  /** `trtc-room-callbacks:request`. */
  readonly request: TraceChannel<RequestTraceMessage>;
  /** `trtc-room-callbacks:handler`. */
  readonly handler: TraceChannel<HandlerTraceMessage>;
}

/** The part of a Node `Channel` the tracer uses. */
interface ChannelLike {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
  runStores<T>(message: unknown, fn: () => T): T;
}

/** The part of a Node `TracingChannel` the tracer uses. */
interface TracingChannelLike {
  readonly start: ChannelLike;
  readonly end: ChannelLike;
  readonly asyncStart: ChannelLike;
  readonly asyncEnd: ChannelLike;
  readonly error: ChannelLike;
}

/** The part of `node:diagnostics_channel` the tracer needs. */
export interface DiagnosticsChannelLike {
  readonly tracingChannel?: ((name: string) => unknown) | undefined;
}

/**
 * A {@link Tracer} over a `node:diagnostics_channel` module, or `undefined`
 * when the module has no usable `tracingChannel` (it is experimental in Node
 * 20, and other runtimes may lack it): then nothing is published.
 */
export function createTracer(diagnosticsChannel: DiagnosticsChannelLike | undefined): Tracer | undefined {
  try {
    const make = diagnosticsChannel?.tracingChannel;
    if (typeof make !== "function") return undefined;
    const request = make(TRACE_CHANNELS.request) as TracingChannelLike;
    const handler = make(TRACE_CHANNELS.handler) as TracingChannelLike;
    if (!isUsable(request) || !isUsable(handler)) return undefined;
    return Object.freeze({
      request: traceChannel<RequestTraceMessage>(request),
      handler: traceChannel<HandlerTraceMessage>(handler),
    });
  } catch {
    return undefined;
  }
}

/**
 * A tracer for runtimes reached without a static `node:` import (the fetch
 * entry): found through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun)
 * when the runtime has it, otherwise `undefined`.
 */
export function probeTracer(): Tracer | undefined {
  try {
    const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const load = runtime?.getBuiltinModule;
    if (typeof load !== "function") return undefined;
    return createTracer(load.call(runtime, "node:diagnostics_channel") as DiagnosticsChannelLike | undefined);
  } catch {
    return undefined;
  }
}

function isUsable(channel: TracingChannelLike | null | undefined): channel is TracingChannelLike {
  if (channel === null || typeof channel !== "object") return false;
  const parts = [channel.start, channel.end, channel.asyncStart, channel.asyncEnd, channel.error];
  return parts.every(
    (part) =>
      part !== null &&
      typeof part === "object" &&
      typeof part.publish === "function" &&
      typeof part.runStores === "function",
  );
}

function traceChannel<M extends { error?: unknown }>(channel: TracingChannelLike): TraceChannel<M> {
  const { start, end, asyncStart, asyncEnd, error } = channel;
  // Operations in their synchronous part (nested, so a stack), and those of them that finished there:
  // their end waits for `end`. Arrays, not WeakSets: they hold one or two entries, and only while `fn` runs.
  const running: M[] = [];
  const finishedEarly: M[] = [];
  const publishEnd = (message: M): void => {
    if (message.error !== undefined) error.publish(message);
    asyncStart.publish(message);
    asyncEnd.publish(message);
  };
  return {
    get hasSubscribers(): boolean {
      return (
        start.hasSubscribers ||
        end.hasSubscribers ||
        asyncStart.hasSubscribers ||
        asyncEnd.hasSubscribers ||
        error.hasSubscribers
      );
    },
    run<T>(message: M, fn: () => T): T {
      running.push(message);
      return start.runStores(message, () => {
        try {
          return fn();
        } finally {
          running.pop();
          end.publish(message);
          if (finishedEarly.length > 0 && finishedEarly[finishedEarly.length - 1] === message) {
            finishedEarly.pop();
            publishEnd(message);
          }
        }
      });
    },
    finish(message: M): void {
      // A request refused before its first await is answered inside its synchronous part.
      if (running.includes(message)) finishedEarly.push(message);
      else publishEnd(message);
    },
  };
}

/** One handler call being traced: made by {@link startHandlerTrace}. */
export interface HandlerTrace {
  /** Calls the handler inside the operation's `start` and `end`; its result is returned untouched, so a synchronous handler stays synchronous. */
  run<T>(fn: () => T): T;
  /** Records how the call ended and publishes the operation's end (once, and only after {@link run}; other calls do nothing). */
  settle(outcome: Exclude<HandlerOutcome, "">, error?: unknown): void;
  /** {@link settle} from the router's result of a handler call: none is `"ok"`, the deadline's error `"timeout"`, any other `"fail"`. */
  settleWith(failure: TrtcCallbackError | undefined): void;
}

/**
 * Starts tracing one handler call, or returns `undefined` (having built
 * nothing) when no one subscribes to the `handler` channel.
 */
export function startHandlerTrace(
  channel: TraceChannel<HandlerTraceMessage> | undefined,
  describe: () => Omit<HandlerTraceMessage, "outcome" | "error">,
): HandlerTrace | undefined {
  if (channel === undefined || !channel.hasSubscribers) return undefined;
  const known = describe();
  // Every field from the start, in one order: messages of one shape keep subscribers' property reads fast.
  const message: HandlerTraceMessage = {
    adapter: known.adapter,
    command: known.command,
    receivedCommand: known.receivedCommand,
    sdkAppId: known.sdkAppId,
    jobId: known.jobId,
    attempt: known.attempt,
    final: known.final,
    outcome: "",
    error: undefined,
  };
  let started = false;
  let settled = false;
  const settle = (outcome: Exclude<HandlerOutcome, "">, error?: unknown): void => {
    // A handler the deadline stopped before it was called has no operation to end.
    if (settled || !started) return;
    settled = true;
    message.outcome = outcome;
    message.error = outcome === "ok" ? undefined : error;
    channel.finish(message);
  };
  return {
    run(fn) {
      started = true;
      return channel.run(message, fn);
    },
    settle,
    settleWith(failure) {
      if (failure === undefined) settle("ok");
      else settle(failure.code === ErrorCodes.HandlerTimeout ? "timeout" : "fail", failure);
    },
  };
}

/** What the request's trace takes from what the core knows of the request. */
interface KnownRequest {
  readonly command?: CallbackCommand | undefined;
  readonly receivedCommand?: string | undefined;
  readonly sdkAppId?: string | undefined;
}

/** Fills a request's message with its answer, once the ack is written, and publishes the request's end. */
export function endRequestTrace(
  tracer: Tracer | undefined,
  message: RequestTraceMessage,
  known: KnownRequest,
  handled: HandledBy,
  outcome: Outcome,
  error: TrtcCallbackError | undefined,
): void {
  message.command = known.command;
  message.receivedCommand = known.receivedCommand;
  message.sdkAppId = known.sdkAppId;
  message.handled = handled;
  message.status = outcome.status;
  message.actionStatus = outcome.ack.ActionStatus;
  message.errorCode = outcome.ack.ErrorCode;
  message.error = error;
  tracer?.request.finish(message);
}
