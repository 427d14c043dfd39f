import { checkOptions } from "./check-options";
import { compareEntries, entryKey } from "./entry";
import type { ApplyResult, Compaction, LogEntry, NewEntry, RoomRecord, RoomStore } from "./types";

/** Options of {@link memoryRoomStore}. */
export interface MemoryRoomStoreOptions {
  /**
   * How long (ms of wall-clock time) a destroyed room is remembered, so that its older events
   * arriving late do not bring it back. Afterwards its record is dropped. Default 86,400,000 (a day).
   */
  destroyedRoomTtlMs?: number;
  /** The clock for {@link destroyedRoomTtlMs}. Default `Date.now`. */
  now?: () => number;
}

interface Room {
  /** The floor first (when `floor` is set), then the entries after it, in order. */
  log: LogEntry[];
  floor: string | undefined;
  snapshot: string | undefined;
  sequence: number;
  /** When the room was destroyed, while nothing newer than the destroy is in its log. */
  destroyedAt: number | undefined;
}

/**
 * A {@link RoomStore} in this process's memory: for one instance, tests and development.
 * Several `createRoomState` instances in one process may share it. Use `redisRoomStore` to
 * share rooms between processes.
 *
 * @example
 * ```ts
 * const rooms = createRoomState({ store: memoryRoomStore() });
 * ```
 */
export function memoryRoomStore(options: MemoryRoomStoreOptions = {}): RoomStore {
  checkOptions("memoryRoomStore", options, ["destroyedRoomTtlMs", "now"]);
  const ttl = options.destroyedRoomTtlMs ?? 86_400_000;
  if (!(ttl >= 0))
    throw new TypeError(`destroyedRoomTtlMs must be a number of milliseconds ≥ 0, not ${String(ttl)}`);
  const now = options.now ?? Date.now;
  const rooms = new Map<string, Room>();
  const watchers = new Set<(roomId: string) => void>();

  const live = (roomId: string): Room | undefined => {
    const room = rooms.get(roomId);
    if (room?.destroyedAt !== undefined && now() - room.destroyedAt >= ttl) {
      rooms.delete(roomId);
      return undefined;
    }
    return room;
  };

  const append = (roomId: string, entry: NewEntry): { result: ApplyResult; size: number } => {
    let room = live(roomId);
    if (!room) {
      room = { log: [], floor: undefined, snapshot: undefined, sequence: 0, destroyedAt: undefined };
      rooms.set(roomId, room);
    }
    const size = () => room.log.length - (room.floor === undefined ? 0 : 1);
    let stored: LogEntry;
    if (entry.time === undefined) {
      const last = room.log[room.log.length - 1];
      stored = { time: last?.time ?? 0, key: entryKey(++room.sequence, entry.tail) };
    } else {
      stored = { time: entry.time, key: entryKey(0, entry.tail) };
    }
    const at = insertionPoint(room.log, stored);
    if (at.found) return { result: "duplicate", size: size() };
    if (room.floor !== undefined && at.index === 0) return { result: "stale", size: size() };
    if (entry.resets) {
      room.log.splice(0, at.index, stored);
      room.floor = stored.key;
      room.snapshot = undefined;
      room.destroyedAt = room.log.length === 1 ? now() : undefined;
    } else {
      room.log.splice(at.index, 0, stored);
      room.destroyedAt = undefined;
    }
    // After this append has returned, as a store across a network would tell it.
    for (const watcher of watchers) queueMicrotask(() => watcher(roomId));
    return { result: "applied", size: size() };
  };

  const load = (roomId: string): RoomRecord | undefined => {
    const room = live(roomId);
    if (!room) return undefined;
    const [first, ...rest] = room.log;
    const hasFloor = room.floor !== undefined && first !== undefined;
    return {
      floor: hasFloor ? { ...first } : undefined,
      snapshot: room.snapshot,
      entries: (hasFloor ? rest : room.log).map((entry) => ({ ...entry })),
    };
  };

  const compact = (roomId: string, compaction: Compaction): boolean => {
    const room = live(roomId);
    if (!room || room.floor !== compaction.expectedFloor) return false;
    const at = insertionPoint(room.log, compaction.through);
    const offset = room.floor === undefined ? 0 : 1;
    if (!at.found || at.index !== compaction.count - 1 + offset) return false;
    room.log.splice(0, at.index);
    room.floor = compaction.through.key;
    room.snapshot = compaction.snapshot;
    return true;
  };

  return {
    append: async (roomId, entry) => append(roomId, entry),
    load: async (roomId) => load(roomId),
    compact: async (roomId, compaction) => compact(roomId, compaction),
    roomIds: async () => [...rooms.keys()].filter((roomId) => live(roomId) !== undefined),
    watch: async (listener) => {
      // A wrapper of its own, so the same listener watched twice is stopped once each.
      const watcher = (roomId: string) => listener(roomId);
      watchers.add(watcher);
      return async () => {
        watchers.delete(watcher);
      };
    },
  };
}

/** Where `entry` is in the sorted `log`, or would go. */
function insertionPoint(log: readonly LogEntry[], entry: LogEntry): { index: number; found: boolean } {
  let low = 0;
  let high = log.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const order = compareEntries(log[middle] as LogEntry, entry);
    if (order === 0) return { index: middle, found: true };
    if (order < 0) low = middle + 1;
    else high = middle;
  }
  return { index: low, found: false };
}
