/**
 * Room state as a library feature: the live state of every room, kept from the callbacks,
 * whatever their order and repetitions, in memory or shared through Redis.
 *
 * @example
 * ```ts
 * import { createRoomState, memoryRoomStore, redisRoomStore } from "trtc-room-callbacks/room-state";
 * ```
 *
 * @packageDocumentation
 */
export { createRoomState, type RoomState, type RoomStateHandlers, type RoomStateOptions } from "./room-state";
export { memoryRoomStore, type MemoryRoomStoreOptions } from "./memory-store";
export { redisRoomStore, type RedisRoomStoreOptions } from "./redis-store";
export { COMMAND_RANK, canonicalJson, compareEntries, entryKey } from "./entry";
export type {
  ApplyResult,
  Compaction,
  LogEntry,
  NewEntry,
  RoomRecord,
  RoomStore,
  RoomView,
  SeatView,
} from "./types";
