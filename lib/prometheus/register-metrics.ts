import * as diagnosticsChannel from "node:diagnostics_channel";
import { Counter, Histogram, register as defaultRegistry, type Registry } from "prom-client";
import { TRACE_CHANNELS, type HandlerTraceMessage, type RequestTraceMessage } from "../core/trace";
import { ConfigurationError } from "../index";
import { commandLabel } from "./labels";
import { Tally } from "./tally";

/** The names of the metrics {@link registerMetrics} registers. */
export const METRIC_NAMES = Object.freeze({
  requests: "trtc_room_callbacks_requests_total",
  unhandled: "trtc_room_callbacks_unhandled_total",
  handlerDuration: "trtc_room_callbacks_handler_duration_seconds",
  jobs: "trtc_room_callbacks_jobs_total",
} as const);

/** Handler durations in seconds, around Tencent's 2 s budget. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5];

type Subscribers<M> = {
  start?: (message: M) => void;
  asyncEnd?: (message: M) => void;
};

interface TracingChannelSubscribe<M> {
  subscribe(subscribers: Subscribers<M>): void;
  unsubscribe(subscribers: Subscribers<M>): boolean;
}

/**
 * Registers the package's metrics on a prom-client registry and keeps them
 * up to date from the `trtc-room-callbacks:request` and `:handler` tracing
 * channels, for every router, listener and durable worker of the process:
 *
 * - `trtc_room_callbacks_requests_total{command,status,action,code}`: answered
 *   requests by command, HTTP status, the ack's `ActionStatus` and `ErrorCode`
 *   (a handler's FAIL is a 200: count `action="FAIL"`).
 * - `trtc_room_callbacks_unhandled_total{command,reason}`: requests acked OK
 *   without any handler running, `reason` `"no-handler"` (a known command
 *   without a handler) or `"unknown-command"` (no `onUnknownCommand`).
 * - `trtc_room_callbacks_handler_duration_seconds{command,outcome}`: a
 *   histogram of each handler call in a router, `outcome` `ok`, `fail` or
 *   `timeout`.
 * - `trtc_room_callbacks_jobs_total{command,outcome}`: the durable worker's
 *   attempts, `outcome` `completed`, `retried` or `failed` (out of attempts).
 *
 * `command` is the canonical command, `"unknown"` for any other name
 * received and `"none"` when no command was received: labels never carry a
 * name as received, a RoomId or a user ID, so the number of series stays
 * bounded.
 *
 * @param registry - prom-client's `Registry` to register on. @defaultValue prom-client's global `register`
 * @returns a function that stops counting and removes the metrics from the registry.
 * @throws ConfigurationError when the registry already has these metrics, or is not a registry.
 *
 * @example
 * ```ts
 * const registry = new Registry();
 * const unregister = registerMetrics(registry);
 * app.get("/metrics", async (_req, res) => {
 *   res.type(registry.contentType).send(await registry.metrics());
 * });
 * ```
 */
export function registerMetrics(registry: Registry = defaultRegistry): () => void {
  checkRegistry(registry);
  const registers = [registry];
  const requests = new Tally<"command" | "status" | "action" | "code">();
  const unhandled = new Tally<"command" | "reason">();
  new Counter({
    name: METRIC_NAMES.requests,
    help: "Callback requests answered, by command, HTTP status, ack ActionStatus and ErrorCode",
    labelNames: ["command", "status", "action", "code"] as const,
    registers,
    collect() {
      requests.push(this);
    },
  });
  new Counter({
    name: METRIC_NAMES.unhandled,
    help: 'Callbacks acked OK without a handler running: reason "no-handler" or "unknown-command"',
    labelNames: ["command", "reason"] as const,
    registers,
    collect() {
      unhandled.push(this);
    },
  });
  const handlerDuration = new Histogram({
    name: METRIC_NAMES.handlerDuration,
    help: "Seconds each callback handler call took in a router, by command and outcome (ok, fail, timeout)",
    labelNames: ["command", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const jobs = new Counter({
    name: METRIC_NAMES.jobs,
    help: "Durable-delivery job attempts, by command and outcome (completed, retried, failed)",
    labelNames: ["command", "outcome"] as const,
    registers,
  });

  const requestSubscribers: Subscribers<RequestTraceMessage> = {
    asyncEnd(message) {
      const command = commandLabel(message.command, message.receivedCommand);
      const { status, actionStatus: action, errorCode: code, handled } = message;
      requests.add(`${command} ${status} ${action} ${code}`, () => ({
        command,
        status: String(status),
        action,
        code: String(code),
      }));
      if (handled === "no-handler" || handled === "unknown-command") {
        unhandled.add(`${command} ${handled}`, () => ({ command, reason: handled }));
      }
    },
  };
  // Start times by message: the message is the subscriber's only handle on one call.
  const started = new WeakMap<HandlerTraceMessage, number>();
  const handlerSubscribers: Subscribers<HandlerTraceMessage> = {
    start(message) {
      if (message.jobId === undefined) started.set(message, performance.now());
    },
    asyncEnd(message) {
      const command = commandLabel(message.command, message.receivedCommand);
      if (message.jobId !== undefined) {
        jobs.inc({ command, outcome: jobOutcome(message) });
        return;
      }
      const start = started.get(message);
      if (start === undefined) return;
      started.delete(message);
      handlerDuration.observe({ command, outcome: message.outcome }, (performance.now() - start) / 1000);
    },
  };
  const requestChannel = tracingChannel<RequestTraceMessage>(TRACE_CHANNELS.request);
  const handlerChannel = tracingChannel<HandlerTraceMessage>(TRACE_CHANNELS.handler);
  requestChannel.subscribe(requestSubscribers);
  handlerChannel.subscribe(handlerSubscribers);

  let registered = true;
  return function unregisterMetrics(): void {
    if (!registered) return;
    registered = false;
    requestChannel.unsubscribe(requestSubscribers);
    handlerChannel.unsubscribe(handlerSubscribers);
    for (const name of Object.values(METRIC_NAMES)) registry.removeSingleMetric(name);
  };
}

function jobOutcome(message: HandlerTraceMessage): "completed" | "retried" | "failed" {
  if (message.outcome === "ok") return "completed";
  return message.final === true ? "failed" : "retried";
}

function checkRegistry(registry: Registry): void {
  const candidate = registry as Partial<Registry> | null;
  if (
    candidate === null ||
    typeof candidate !== "object" ||
    typeof candidate.getSingleMetric !== "function" ||
    typeof candidate.registerMetric !== "function" ||
    typeof candidate.removeSingleMetric !== "function"
  ) {
    throw new ConfigurationError(
      'registerMetrics needs a prom-client Registry: registerMetrics(new Registry()) with Registry from "prom-client", or no argument for its global register',
    );
  }
  const taken = Object.values(METRIC_NAMES).filter((name) => registry.getSingleMetric(name) !== undefined);
  if (taken.length > 0) {
    throw new ConfigurationError(
      `registerMetrics: this registry already has ${taken.join(", ")}. Register once per registry; to register again, first call the function the earlier registerMetrics returned`,
    );
  }
  if (typeof diagnosticsChannel.tracingChannel !== "function") {
    throw new ConfigurationError(
      "registerMetrics needs diagnostics_channel.tracingChannel, which this Node lacks: use Node 20.0 or later",
    );
  }
}

function tracingChannel<M>(name: string): TracingChannelSubscribe<M> {
  return diagnosticsChannel.tracingChannel(name) as unknown as TracingChannelSubscribe<M>;
}
