import { createHash } from "node:crypto";
import {
  ConfigurationError,
  type CallbackCommand,
  type CallbackContext,
  type CallbackEvent,
  type CallbackHandlers,
} from "../index";
import { enqueueCallbacks, type CallbackQueue, type EnqueueOptions } from "./enqueue";
import { roomIdOf } from "./job-data";

/**
 * The names of `partitions` queues, `<baseName>-0` … : one room's events
 * always go to the same one (see {@link enqueueCallbacksByRoom}). Run one
 * worker with `concurrency: 1` per queue to handle each room's events in the
 * order they were received.
 *
 * @example
 * ```ts
 * roomQueueNames("trtc-callbacks", 4); // ["trtc-callbacks-0", …, "trtc-callbacks-3"]
 * ```
 */
export function roomQueueNames(baseName: string, partitions: number): string[] {
  if (typeof baseName !== "string" || baseName === "" || baseName.includes(":")) {
    throw new ConfigurationError(
      `roomQueueNames: baseName must be a queue name without ":", such as "trtc-callbacks"`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new ConfigurationError(
      `roomQueueNames: partitions must be an integer from 1 to 1024; got ${String(partitions)}`,
    );
  }
  return Array.from({ length: partitions }, (_, i) => `${baseName}-${i}`);
}

/** Which of `partitions` queues a room's events go to: stable across processes and restarts. */
export function roomPartition(roomId: string, partitions: number): number {
  return createHash("sha256").update(roomId).digest().readUInt32BE(0) % partitions;
}

/**
 * Like {@link enqueueCallbacks}, over several queues: each event goes to the
 * queue of its room (`RoomId`, or `RoomInfo.RoomId`), in the order of
 * `queues` as {@link roomQueueNames} names them. Each queue is checked as
 * `enqueueCallbacks` checks one.
 *
 * @example
 * ```ts
 * const queues = roomQueueNames("trtc-callbacks", 4).map((name) => new Queue(name, { connection }));
 * app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers: enqueueCallbacksByRoom(queues) }));
 * ```
 */
export function enqueueCallbacksByRoom(
  queues: readonly CallbackQueue[],
  options: EnqueueOptions = {},
): CallbackHandlers<unknown> {
  if (!Array.isArray(queues) || queues.length === 0) {
    throw new ConfigurationError("enqueueCallbacksByRoom needs a non-empty array of BullMQ queues");
  }
  const partitions = queues.map((queue) => enqueueCallbacks(queue, options) as Record<string, Handler>);
  const first = partitions[0] as Record<string, Handler>;
  const handlers: Record<string, Handler> = {};
  for (const command of Object.keys(first)) {
    handlers[command] = (event, context) => {
      const room = roomIdOf(event) ?? "";
      const handler = partitions[roomPartition(room, partitions.length)]?.[command] as Handler;
      return handler(event, context);
    };
  }
  return handlers as CallbackHandlers<unknown>;
}

type Handler = (event: CallbackEvent, context: CallbackContext<CallbackCommand, unknown>) => unknown;
