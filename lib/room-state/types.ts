import type { RoomInfo } from "../index";

/** A seat as {@link RoomView} shows it. */
export interface SeatView {
  index: number;
  /** Who sits on it; `null` when empty. */
  member: string | null;
  /** `IsTakenDisabled`: nobody may take it. */
  locked: boolean;
  videoDisabled: boolean;
  audioDisabled: boolean;
}

/**
 * A room as `rooms.get(roomId)` and `rooms.list()` return it.
 *
 * @example
 * ```ts
 * const room = await rooms.get("room-1");
 * if (room) console.log(room.members, room.seats.filter((seat) => seat.member !== null));
 * ```
 */
export interface RoomView {
  roomId: string;
  /** The latest `RoomInfo` fields (all but `RoomId`), unknown fields included; `{}` until a create or update. */
  settings: Partial<Omit<RoomInfo, "RoomId">> & Record<string, unknown>;
  /** `ScheduleInviteeList_Account` of the latest create that had one, without repeats. */
  invitees: string[];
  /** Members in the room, in order of entry (by `EventTime`). */
  members: string[];
  /** Seats reported so far, by index. */
  seats: SeatView[];
  /** The latest `EventTime` (ms) of an event that changed the room, `null` if none carried one. */
  updatedAt: number | null;
}

/**
 * What became of an event:
 * - `applied`: it is now part of its room's log;
 * - `duplicate`: the same event (same content, same `EventTime`) was applied before, by any
 *   instance sharing the store: nothing changed;
 * - `stale`: it is ordered before its room's floor (the room's last destroy, or the part of the
 *   log already folded into the snapshot), so it cannot change the state: nothing changed.
 */
export type ApplyResult = "applied" | "duplicate" | "stale";

/**
 * One event in a room's log, as a {@link RoomStore} keeps it. Entries are ordered by `time`,
 * then by `key` compared as strings (the key is ASCII, so byte order and JavaScript's `<` agree).
 * The key also identifies the entry: it holds the event (`EventTime` included) or, for an event
 * without one, a sequence number of its own, so two entries with the same key are the same.
 */
export interface LogEntry {
  /** The event's `EventTime` (ms); for an event without one, the time the store stamped on it. */
  time: number;
  /** `entryKey(sequence, tail)`: 10 digits of sequence, then the {@link NewEntry.tail}. */
  key: string;
}

/** An event to add to a room's log: what {@link RoomStore.append} receives. */
export interface NewEntry {
  /** The event's `EventTime`; `undefined` for an event without one, which the store stamps. */
  time: number | undefined;
  /** The command's rank (one digit) followed by the event's canonical serialisation. */
  tail: string;
  /** Whether this is a destroy: it becomes the room's floor and everything ordered before it goes. */
  resets: boolean;
}

/** A room's stored state: a snapshot, the entry it was folded up to, and the log after it. */
export interface RoomRecord {
  /**
   * The floor: the last entry folded into `snapshot` (a destroy, or the last entry of a
   * compaction). Nothing ordered before or at it is accepted again. `undefined` if neither
   * happened yet.
   */
  floor: LogEntry | undefined;
  /** The folded state up to and including `floor`, as `compact` stored it; `undefined` for none (no room). */
  snapshot: string | undefined;
  /** The entries after the floor, in order. */
  entries: LogEntry[];
}

/** What {@link RoomStore.compact} replaces, and with what. */
export interface Compaction {
  /** The floor's key the record had when it was loaded (`undefined` if it had none). */
  expectedFloor: string | undefined;
  /** The last entry folded into `snapshot`: it becomes the floor, and the entries before it go. */
  through: LogEntry;
  /** How many entries after the old floor, `through` included, were folded. */
  count: number;
  /** The folded state. */
  snapshot: string;
}

/**
 * Where room state lives. `memoryRoomStore()` and `redisRoomStore(client)` implement it; to keep
 * rooms in another database, implement these four methods, each atomic (a transaction, a
 * conditional write or a script), and pass the store to `createRoomState`.
 *
 * Per room the store keeps a log of {@link LogEntry} in order, a floor entry and a snapshot
 * string. It never needs to understand events: `createRoomState` serialises, orders and folds
 * them.
 *
 * @example
 * ```ts
 * const rooms = createRoomState({ store: myPostgresRoomStore(pool) });
 * ```
 */
export interface RoomStore {
  /**
   * Adds an entry to a room's log, atomically:
   * - an entry without `time` gets the room's latest time (the greatest `time` in its log,
   *   floor included, or 0) and the room's next sequence number (from 1); one with a time gets
   *   sequence 0. Its key is `entryKey(sequence, entry.tail)`;
   * - if an entry with that key exists (the floor included): `duplicate`, no change;
   * - if it is ordered before the floor: `stale`, no change;
   * - if `entry.resets`: every entry ordered before it and the snapshot are removed, and it
   *   becomes the floor (a destroyed room's record may be dropped after a retention time);
   * - otherwise it joins the log: `applied`.
   *
   * @returns the result and the number of entries now after the floor.
   */
  append(roomId: string, entry: NewEntry): Promise<{ result: ApplyResult; size: number }>;
  /** The room's record, read atomically; `undefined` if the store keeps nothing for it. */
  load(roomId: string): Promise<RoomRecord | undefined>;
  /**
   * Folds a prefix of the log into a snapshot, atomically, only if the record still has
   * `expectedFloor` as its floor and exactly `count - 1` entries between that floor and
   * `through` (so nothing was inserted into or removed from the folded part meanwhile).
   *
   * @returns whether it did.
   */
  compact(roomId: string, compaction: Compaction): Promise<boolean>;
  /** The IDs of every room the store keeps a record for, in any order. */
  roomIds(): Promise<string[]>;
  /**
   * Optional: calls `listener` with a room's ID after an entry was applied to it (an `append`
   * that resolved `applied`), by any instance sharing the store. Resolves once it listens, to
   * a function that stops listening (and releases what listening holds, such as a connection).
   */
  watch?(listener: (roomId: string) => void): Promise<() => Promise<void>>;
}
