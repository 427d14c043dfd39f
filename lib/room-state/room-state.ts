import createDebug from "debug";
import type { CallbackCommand, CallbackEvent } from "../index";
import { checkOptions } from "./check-options";
import { toEntry } from "./entry";
import { memoryRoomStore } from "./memory-store";
import { foldEntries, parseFold, serializeFold, viewOf } from "./reducer";
import type { ApplyResult, RoomStore, RoomView } from "./types";

const trace = createDebug("trtc-room-callbacks:room-state");

/** Options of {@link createRoomState}. */
export interface RoomStateOptions {
  /** Where rooms live. Default `memoryRoomStore()` (this process only); `redisRoomStore(client)` to share them. */
  store?: RoomStore;
  /**
   * How many events a room's log holds before its oldest half is folded into a snapshot.
   * An event is put in its place by `EventTime` as long as it arrives before `maxEvents / 2`
   * newer events of its room have been applied; one that arrives later than that is `stale`
   * and ignored. Reading a room folds up to `maxEvents` events. Default 1000; at least 2.
   */
  maxEvents?: number;
}

/** The six handlers of {@link RoomState.handlers}: each applies its event. */
export type RoomStateHandlers = {
  [C in CallbackCommand]-?: (event: CallbackEvent<C>) => Promise<void>;
};

/**
 * The live state of rooms, built from callbacks: which rooms exist with their settings, who is
 * in each, who sits on which seat. The state is a function of the set of events received: the
 * result of applying each once in `EventTime` order, whatever order and however many times they
 * arrive.
 */
export interface RoomState {
  /**
   * A handler for each of the six commands, to mount as they are
   * (`createCallbackRouter({ sdkAppId, handlers: rooms.handlers })`) or to spread into your own.
   * A failure of the store (Redis unreachable) rejects, so the callback is acked `FAIL` and
   * reported to `onError`.
   */
  readonly handlers: RoomStateHandlers;
  /** Applies one validated event (as a handler receives it). */
  apply(event: CallbackEvent): Promise<ApplyResult>;
  /** One room, or `undefined` if it does not exist (never seen, or destroyed). */
  get(roomId: string): Promise<RoomView | undefined>;
  /** Every room that exists, sorted by room ID. */
  list(): Promise<RoomView[]>;
  /**
   * Calls `listener(roomId)` after an event was applied to a room by any instance sharing the
   * store (with `redisRoomStore`, through Redis pub/sub on a connection of its own); read the room
   * with `get`. Not called for duplicates and stale events; may be called for an event that left
   * the room as it was (an enter of a member already in). What the listener throws or rejects is
   * ignored (traced with `DEBUG=trtc-room-callbacks:room-state`).
   *
   * @returns a promise that resolves once listening, to a function that stops listening.
   * @throws TypeError when the store cannot report changes (a store of your own without `watch`).
   *
   * @example
   * ```ts
   * const stop = await rooms.on("change", async (roomId) => broadcast(roomId, await rooms.get(roomId)));
   * await stop();
   * ```
   */
  on(event: "change", listener: (roomId: string) => unknown): Promise<() => Promise<void>>;
}

/**
 * Keeps the live state of rooms from Tencent's callbacks.
 *
 * @example
 * ```ts
 * const rooms = createRoomState({ store: redisRoomStore(redis, { prefix: "trtc:" }) });
 * app.use("/trtc", createCallbackRouter({ sdkAppId, handlers: rooms.handlers }));
 * const room = await rooms.get("room-1");
 * ```
 */
export function createRoomState(options: RoomStateOptions = {}): RoomState {
  checkOptions("createRoomState", options, ["store", "maxEvents"]);
  const store = options.store ?? memoryRoomStore();
  for (const method of ["append", "load", "compact", "roomIds"] as const) {
    if (typeof store[method] !== "function") {
      throw new TypeError(
        `store must be a RoomStore (memoryRoomStore(), redisRoomStore(client) or your own), but its ${method} is not a function`,
      );
    }
  }
  const maxEvents = options.maxEvents ?? 1000;
  if (!Number.isInteger(maxEvents) || maxEvents < 2) {
    throw new TypeError(`maxEvents must be a whole number ≥ 2, not ${String(maxEvents)}`);
  }
  const keep = Math.floor(maxEvents / 2);

  const compact = async (roomId: string): Promise<void> => {
    const record = await store.load(roomId);
    const count = (record?.entries.length ?? 0) - keep;
    if (!record || count <= 0) return;
    const folded = foldEntries(parseFold(record.snapshot), record.entries.slice(0, count));
    const done = await store.compact(roomId, {
      expectedFloor: record.floor?.key,
      through: record.entries[count - 1] as (typeof record.entries)[number],
      count,
      snapshot: serializeFold(folded),
    });
    trace(
      "%s: %s %d events into the snapshot",
      roomId,
      done ? "folded" : "did not fold (changed meanwhile)",
      count,
    );
  };

  const apply = async (event: CallbackEvent): Promise<ApplyResult> => {
    const { roomId, entry } = toEntry(event);
    const { result, size } = await store.append(roomId, entry);
    trace("%s %s: %s (%d in its log)", event.CallbackCommand, roomId, result, size);
    if (size > maxEvents) await compact(roomId);
    return result;
  };

  const get = async (roomId: string): Promise<RoomView | undefined> => {
    if (typeof roomId !== "string") throw new TypeError(`a room ID is a string, not ${typeof roomId}`);
    const record = await store.load(roomId);
    if (!record) return undefined;
    return viewOf(roomId, foldEntries(parseFold(record.snapshot), record.entries));
  };

  const list = async (): Promise<RoomView[]> => {
    const ids = (await store.roomIds()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const views = await Promise.all(ids.map(get));
    return views.filter((view): view is RoomView => view !== undefined);
  };

  const on = async (name: "change", listener: (roomId: string) => unknown): Promise<() => Promise<void>> => {
    if (name !== "change")
      throw new TypeError(`rooms.on takes "change", not ${JSON.stringify(String(name))}`);
    if (typeof listener !== "function") throw new TypeError('rooms.on("change", listener) needs a function');
    if (typeof store.watch !== "function") {
      throw new TypeError(
        "this store cannot report changes: give it a watch method (memoryRoomStore and redisRoomStore have one)",
      );
    }
    return store.watch((roomId) => {
      try {
        Promise.resolve(listener(roomId)).catch((error: unknown) =>
          trace("a change listener rejected: %O", error),
        );
      } catch (error) {
        trace("a change listener threw: %O", error);
      }
    });
  };

  const handler = async (event: CallbackEvent): Promise<void> => {
    await apply(event);
  };
  const handlers: RoomStateHandlers = {
    "Room.CallbackAfterCreateRoom": handler,
    "Room.CallbackAfterDestroyRoom": handler,
    "Room.CallbackAfterUpdateRoomInfo": handler,
    "Room.CallbackAfterMemberEnter": handler,
    "Room.CallbackAfterMemberLeave": handler,
    "Mic.CallbackAfterSeatInfoChanged": handler,
  };
  return { handlers: Object.freeze(handlers), apply, get, list, on };
}
