import { Queue } from "bullmq";
import Redis, { type RedisOptions } from "ioredis";
import type { CallbackHandlers } from "trtc-room-callbacks";
import { createCallbackWorker, enqueueCallbacks } from "trtc-room-callbacks/bullmq";
import { createRoomState, redisRoomStore, type RoomState } from "trtc-room-callbacks/room-state";
import { redisAddress, type ExampleConfig } from "./config";
import type { InstanceStats } from "./instance-stats";
import { roomHandlers } from "./room-handlers";

/** The queue every instance adds callbacks to and works from. */
export const QUEUE_NAME = "trtc-callbacks";
/** Keys of the room state in Redis. */
export const ROOM_STATE_PREFIX = "trtc:room-state:";
const STARTUP_TIMEOUT_MS = 5000;
/** How long a graceful shutdown may take before the connections are dropped (running jobs then run again elsewhere). */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** An instance's part of a cluster on one Redis: rooms there, a queue to receive into, a worker. */
export interface RedisMode {
  rooms: RoomState;
  /** The router's handlers: queue each validated callback, durable before the ack. */
  receive: CallbackHandlers<unknown>;
  /** The queue's job counts (every instance sees the same). */
  queueCounts(): Promise<Record<string, number>>;
  /** Graceful: running jobs finish, then the queue and the Redis connections close; dropped after {@link SHUTDOWN_TIMEOUT_MS}. */
  close(): Promise<void>;
}

/**
 * Connects to Redis and starts this instance's worker. Resolves once Redis answered; rejects
 * (having closed what it opened) when it does not within 5 s.
 */
export async function startRedisMode(
  config: ExampleConfig & { redisUrl: string },
  stats: InstanceStats,
  log: (line: string) => void,
): Promise<RedisMode> {
  const where = redisAddress(config.redisUrl);
  const clients: Redis[] = [];
  const client = (options: RedisOptions, role: string) => {
    const redis = new Redis(config.redisUrl, options);
    let last = "";
    // One line per distinct error, not one per reconnection attempt.
    redis.on("error", (error: Error) => {
      if (error.message !== last) log(`redis (${role}) at ${where}: ${error.message}`);
      last = error.message;
    });
    redis.on("ready", () => (last = ""));
    clients.push(redis);
    return redis;
  };
  const quitAll = () => Promise.all(clients.map((redis) => redis.quit().catch(() => redis.disconnect())));
  // A client that never connected would queue QUIT until it does: drop it instead.
  const dropAll = () => clients.forEach((redis) => redis.disconnect());

  // Reads and writes of rooms fail at once while Redis is away rather than queue up (a read
  // answers 503, a job is retried by the worker), and queued commands cannot hold up a shutdown.
  const store = client({ enableOfflineQueue: false, commandTimeout: 2000 }, "room state");
  try {
    await withTimeout(
      new Promise((resolve) => store.once("ready", resolve)),
      `cannot reach Redis at ${where} within ${STARTUP_TIMEOUT_MS} ms`,
    );
  } catch (error) {
    dropAll();
    throw error;
  }
  const rooms = createRoomState({ store: redisRoomStore(store, { prefix: ROOM_STATE_PREFIX }) });

  // The producer must fail fast: Tencent waits for the ack at most 2 s.
  const queue = new Queue(QUEUE_NAME, {
    connection: client({ enableOfflineQueue: false, commandTimeout: 1000 }, "queue"),
  });
  const worker = createCallbackWorker(QUEUE_NAME, {
    // BullMQ's workers need maxRetriesPerRequest: null (their blocking reads wait without bound).
    connection: client({ maxRetriesPerRequest: null }, "worker"),
    handlers: roomHandlers(rooms, stats, log),
    concurrency: config.workerConcurrency,
    workerOptions: { lockDuration: config.workerLockMs, stalledInterval: config.workerLockMs },
    onError: (error, info) => log(`job ${info.jobId} ${info.command ?? "?"}: ${error.message}`),
  });

  return {
    rooms,
    receive: enqueueCallbacks(queue),
    queueCounts: () => queue.getJobCounts("waiting", "active", "delayed", "completed", "failed"),
    close: async () => {
      const graceful = (async () => {
        await worker.close();
        await queue.close();
        await quitAll();
      })();
      // With Redis down, the worker waits for a command in flight until Redis comes back (its
      // connection retries without bound, as BullMQ requires): a shutdown must end anyway. The
      // worker's own blocking connection is BullMQ's; the process exits after this resolves.
      if (!(await settlesWithin(graceful, SHUTDOWN_TIMEOUT_MS))) {
        log(
          `Redis at ${where} did not let the shutdown finish within ${SHUTDOWN_TIMEOUT_MS} ms: closing at once`,
        );
        dropAll();
      }
    },
  };
}

/** Whether `promise` settled within `ms` (a rejection counts as settled: there is nothing left to wait for). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), STARTUP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
