import { ConfigurationError } from "../index";

/** The part of a BullMQ `Queue` the producer checks: its connection option. */
export interface QueueConnectionSource {
  readonly opts?: { readonly connection?: unknown } | undefined;
}

const FIX =
  'create the queue with new Queue("trtc-callbacks", { connection: { host, port, enableOfflineQueue: false, commandTimeout: 1000 } })';

/**
 * Refuses a producer connection on which `queue.add()` can hang: with
 * ioredis's offline queue on, commands wait (without bound) while Redis is
 * down; without `commandTimeout`, they wait forever on a Redis that stopped
 * answering. The ack must be FAIL within Tencent's 2 s, and work left
 * waiting grows with every callback. Reads the options BullMQ was given, or
 * those of the ioredis instance (or cluster) passed as `connection`.
 *
 * @throws ConfigurationError saying which option to set.
 */
export function checkProducerConnection(queue: QueueConnectionSource): void {
  const connection = queue.opts?.connection;
  if (connection === null || typeof connection !== "object") {
    throw new ConfigurationError(`enqueueCallbacks needs a BullMQ Queue with an explicit connection: ${FIX}`);
  }
  const instance = typeof (connection as { duplicate?: unknown }).duplicate === "function";
  const options = (instance ? (connection as { options?: unknown }).options : connection) as
    Record<string, unknown> | undefined;
  if (options === undefined || options === null || typeof options !== "object") {
    throw new ConfigurationError(
      `enqueueCallbacks cannot read the options of the queue's Redis client (only ioredis connections are checked): ${FIX}`,
    );
  }
  const redisOptions = (options["redisOptions"] ?? {}) as Record<string, unknown>;
  if (options["enableOfflineQueue"] !== false) {
    throw new ConfigurationError(
      `the queue's Redis connection must set enableOfflineQueue: false, or queue.add() waits while Redis is down instead of failing, and Tencent's callback times out: ${FIX}`,
    );
  }
  const timeout = options["commandTimeout"] ?? redisOptions["commandTimeout"];
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
    throw new ConfigurationError(
      `the queue's Redis connection must set commandTimeout (ms, below the router's timeoutMs, e.g. 1000), or queue.add() never returns while Redis is stalled: ${FIX}`,
    );
  }
}
