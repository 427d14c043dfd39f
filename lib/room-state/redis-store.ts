import type { Redis } from "ioredis";
import createDebug from "debug";
import { checkOptions } from "./check-options";
import { APPEND_SCRIPT, COMPACT_SCRIPT, LOAD_SCRIPT } from "./redis-scripts";
import type { ApplyResult, LogEntry, RoomStore } from "./types";

const trace = createDebug("trtc-room-callbacks:room-state");

/** Options of {@link redisRoomStore}. */
export interface RedisRoomStoreOptions {
  /** Prepended to every key the store uses. Default `"trtc:room-state:"`. */
  prefix?: string;
  /**
   * How long (ms) Redis keeps a destroyed room's record, so that its older events arriving late
   * do not bring it back; the keys then expire. Default 86,400,000 (a day).
   */
  destroyedRoomTtlMs?: number;
}

/** The scripts, as `defineCommand` adds them to the client (names versioned, so they never collide). */
interface ScriptCommands {
  trtcRoomStateAppendV1(
    log: string,
    meta: string,
    index: string,
    roomId: string,
    time: string,
    tail: string,
    resets: string,
    ttl: string,
    channel: string,
  ): Promise<[ApplyResult, number]>;
  trtcRoomStateLoadV1(
    log: string,
    meta: string,
    index: string,
    roomId: string,
  ): Promise<[string | null, string | null, string[]] | null>;
  trtcRoomStateCompactV1(
    log: string,
    meta: string,
    expectedFloor: string,
    through: string,
    count: string,
    snapshot: string,
  ): Promise<number>;
}

/**
 * A {@link RoomStore} in Redis, shared by every instance that uses the same Redis and prefix.
 * Each change runs as one Lua script (EVALSHA, through `client.defineCommand`), so instances may
 * apply the same events in any order, any number of times, concurrently, and reach the same
 * state. Per room it keeps a sorted set and a hash; a set lists the rooms. Give it your ioredis
 * client (ioredis 5 or 6, an optional peer dependency); the store defines three commands on it
 * and never closes it (`rooms.on("change")` subscribes on a duplicate of it, closed by the
 * function `on` resolves to). A Redis Cluster is not supported (a script touches a room's keys and the
 * list of rooms, which may live on different nodes).
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * const rooms = createRoomState({ store: redisRoomStore(new Redis(process.env.REDIS_URL), { prefix: "trtc:" }) });
 * ```
 */
export function redisRoomStore(client: Redis, options: RedisRoomStoreOptions = {}): RoomStore {
  if (client === null || typeof client !== "object" || typeof client.defineCommand !== "function") {
    throw new TypeError(
      "redisRoomStore needs an ioredis client: redisRoomStore(new Redis(url)) (install ioredis, an optional peer dependency)",
    );
  }
  checkOptions("redisRoomStore", options, ["prefix", "destroyedRoomTtlMs"]);
  const prefix = options.prefix ?? "trtc:room-state:";
  if (typeof prefix !== "string") throw new TypeError(`prefix must be a string, not ${typeof prefix}`);
  const ttl = options.destroyedRoomTtlMs ?? 86_400_000;
  if (!Number.isInteger(ttl) || ttl < 1) {
    throw new TypeError(`destroyedRoomTtlMs must be a whole number of milliseconds ≥ 1, not ${String(ttl)}`);
  }
  client.defineCommand("trtcRoomStateAppendV1", { numberOfKeys: 3, lua: APPEND_SCRIPT });
  client.defineCommand("trtcRoomStateLoadV1", { numberOfKeys: 3, lua: LOAD_SCRIPT });
  client.defineCommand("trtcRoomStateCompactV1", { numberOfKeys: 2, lua: COMPACT_SCRIPT });
  const redis = client as unknown as ScriptCommands & Redis;
  const index = `${prefix}rooms`;
  // Channels are not prefixed by ioredis's keyPrefix as keys are: add it, so apps kept apart by it stay apart.
  const keyPrefix = (client as { options?: { keyPrefix?: unknown } }).options?.keyPrefix;
  const channel = `${typeof keyPrefix === "string" ? keyPrefix : ""}${prefix}changes`;
  const log = (roomId: string) => `${prefix}room:${roomId}:log`;
  const meta = (roomId: string) => `${prefix}room:${roomId}:meta`;

  return {
    async append(roomId, entry) {
      const [result, size] = await redis.trtcRoomStateAppendV1(
        log(roomId),
        meta(roomId),
        index,
        roomId,
        entry.time === undefined ? "" : String(entry.time),
        entry.tail,
        entry.resets ? "1" : "0",
        String(ttl),
        channel,
      );
      return { result, size: Number(size) };
    },
    async load(roomId) {
      const found = await redis.trtcRoomStateLoadV1(log(roomId), meta(roomId), index, roomId);
      if (found === null) return undefined;
      const [floorKey, snapshot, flat] = found;
      const entries: LogEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        entries.push({ key: flat[i] as string, time: Number(flat[i + 1]) });
      }
      const first = entries[0];
      const hasFloor = floorKey !== null && first !== undefined && first.key === floorKey;
      return {
        floor: hasFloor ? first : undefined,
        snapshot: snapshot ?? undefined,
        entries: hasFloor ? entries.slice(1) : entries,
      };
    },
    async compact(roomId, compaction) {
      const done = await redis.trtcRoomStateCompactV1(
        log(roomId),
        meta(roomId),
        compaction.expectedFloor ?? "",
        compaction.through.key,
        String(compaction.count),
        compaction.snapshot,
      );
      return Number(done) === 1;
    },
    roomIds: () => redis.smembers(index),
    async watch(listener) {
      // Subscribing takes a connection of its own: a duplicate of the client, closed by the stop function.
      // Queued until it connects, even for a client that fails fast without a connection.
      const subscriber = client.duplicate({ enableOfflineQueue: true });
      // ioredis reconnects and subscribes again by itself; without a listener it would print the error.
      subscriber.on("error", (error: unknown) => trace("the change subscription failed: %O", error));
      subscriber.on("message", (from: string, roomId: string) => {
        if (from === channel) listener(roomId);
      });
      try {
        await subscriber.subscribe(channel);
      } catch (error) {
        subscriber.disconnect();
        throw error;
      }
      return async () => {
        await subscriber.quit();
      };
    },
  };
}
