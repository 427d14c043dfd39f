import { createHash } from "node:crypto";
import type { CallbackEvent, RoomInfo, SeatInfo } from "trtc-room-callbacks";

/** A seat as the app serves it. */
export interface SeatView {
  index: number;
  /** Who sits on it; `null` when empty. */
  member: string | null;
  /** `IsTakenDisabled`: nobody may take it. */
  locked: boolean;
  videoDisabled: boolean;
  audioDisabled: boolean;
}

/** A room as the app serves it at `GET /rooms/:roomId`. */
export interface RoomView {
  roomId: string;
  /** The latest `RoomInfo` fields (all but `RoomId`), unknown fields included; `{}` until a create or update arrives. */
  settings: Partial<Omit<RoomInfo, "RoomId">> & Record<string, unknown>;
  /** `ScheduleInviteeList_Account` of the create event, without repeats. */
  invitees: string[];
  /** Members in the room, in order of entry. */
  members: string[];
  /** Seats reported so far, by index. */
  seats: SeatView[];
  /** The latest `EventTime` (ms) that changed the room, `null` if none carried one. */
  updatedAt: number | null;
}

/**
 * What {@link RoomStore.apply} did with an event: `applied` (some of it was
 * newer than the state it touches), `stale` (all of it was older, so nothing
 * changed) or `duplicate` (the same event was applied before).
 */
export type ApplyResult = "applied" | "stale" | "duplicate";

/** A value and the `EventTime` of the event that set it. */
interface Stamped<T> {
  value: T;
  at: number;
}

interface Room {
  id: string;
  /** Whether the room exists: false after a destroy, until a newer event revives it. */
  live: boolean;
  /** Nothing older than this (the last destroy's time) is accepted. */
  floor: number;
  /** The latest time applied; stands in for the time of events that carry none. */
  clock: number;
  /** Whether any applied event carried an `EventTime`. */
  timed: boolean;
  settings: Map<string, Stamped<unknown>>;
  invitees: Stamped<string[]> | undefined;
  /** Every member ever seen, present or not: a leave is kept so an older enter cannot undo it. */
  members: Map<string, Stamped<boolean>>;
  seats: Map<number, Stamped<SeatView>>;
}

/** How many recent events {@link RoomStore} remembers to recognise replays. */
export const REPLAY_MEMORY = 10_000;

/**
 * The live state of every room, built from callbacks alone. Tencent may
 * deliver callbacks late, out of order or more than once, so every piece of
 * state (each setting, member and seat) remembers the `EventTime` that set it,
 * and an event only changes the pieces it is not older than. Events with the
 * same time apply in arrival order; events without an `EventTime` count as
 * happening at the room's latest time.
 */
export class RoomStore {
  readonly #rooms = new Map<string, Room>();
  readonly #seen = new Set<string>();
  readonly #replayMemory: number;
  /** How many events were applied, stale or duplicates. */
  readonly stats: Record<ApplyResult, number> = { applied: 0, stale: 0, duplicate: 0 };

  constructor(options: { replayMemory?: number } = {}) {
    this.#replayMemory = options.replayMemory ?? REPLAY_MEMORY;
  }

  /** Updates the state from one validated event. */
  apply(event: CallbackEvent): ApplyResult {
    const key = fingerprint(event);
    if (key !== undefined && this.#seen.has(key)) return this.#count("duplicate");
    const changed = this.#dispatch(event);
    if (key !== undefined) this.#remember(key);
    return this.#count(changed ? "applied" : "stale");
  }

  /** Every room that exists, in order of first appearance. */
  list(): RoomView[] {
    return [...this.#rooms.values()].filter((room) => room.live).map(view);
  }

  /** One room, or `undefined` if it does not exist (never seen, or destroyed). */
  get(roomId: string): RoomView | undefined {
    const room = this.#rooms.get(roomId);
    return room?.live ? view(room) : undefined;
  }

  #dispatch(event: CallbackEvent): boolean {
    switch (event.CallbackCommand) {
      case "Room.CallbackAfterCreateRoom":
        return this.#at(event.RoomInfo.RoomId, event.EventTime, (room, time) => {
          const invitees = event.ScheduleInviteeList_Account;
          let changed = mergeSettings(room, event.RoomInfo, time);
          if (invitees && !(room.invitees && room.invitees.at > time)) {
            room.invitees = { value: [...new Set(invitees)], at: time };
            changed = true;
          }
          return changed;
        });
      case "Room.CallbackAfterUpdateRoomInfo":
        return this.#at(event.RoomInfo.RoomId, event.EventTime, (room, time) =>
          mergeSettings(room, event.RoomInfo, time),
        );
      case "Room.CallbackAfterMemberEnter":
        return this.#at(event.RoomId, event.EventTime, (room, time) =>
          some(event.MemberList_Account ?? [], (member) => setPresence(room, member, true, time)),
        );
      case "Room.CallbackAfterMemberLeave":
        return this.#at(event.RoomId, event.EventTime, (room, time) =>
          some(event.MemberList_Account ?? [], (member) => setPresence(room, member, false, time)),
        );
      case "Mic.CallbackAfterSeatInfoChanged":
        return this.#at(event.RoomId, event.EventTime, (room, time) =>
          some(event.SeatList ?? [], (seat) => setSeat(room, seat, time)),
        );
      case "Room.CallbackAfterDestroyRoom":
        return this.#destroy(event.RoomId, event.EventTime);
    }
  }

  /**
   * Runs `change` on the room (created lazily) at the event's time, unless
   * the room was destroyed after that time. A change that keeps any piece
   * makes the room exist.
   */
  #at(roomId: string, eventTime: number | undefined, change: (room: Room, time: number) => boolean): boolean {
    const room = this.#room(roomId);
    const time = eventTime ?? room.clock;
    if (time < room.floor) return false;
    if (!change(room, time)) return false;
    room.live = true;
    room.clock = Math.max(room.clock, time);
    room.timed ||= eventTime !== undefined;
    return true;
  }

  /**
   * Forgets everything the room knew as of the destroy's time. Pieces set by
   * newer events (the room ID reused by a later meeting) stay, and keep the
   * room alive.
   */
  #destroy(roomId: string, eventTime: number | undefined): boolean {
    const room = this.#room(roomId);
    const time = eventTime ?? room.clock;
    if (time < room.floor) return false;
    const older = (piece: Stamped<unknown>) => piece.at <= time;
    for (const map of [room.settings, room.members, room.seats] as Map<unknown, Stamped<unknown>>[]) {
      for (const [key, piece] of map) if (older(piece)) map.delete(key);
    }
    if (room.invitees && older(room.invitees)) room.invitees = undefined;
    room.floor = time;
    room.clock = Math.max(room.clock, time);
    room.timed ||= eventTime !== undefined;
    room.live = room.settings.size > 0 || room.seats.size > 0 || [...room.members.values()].some(isPresent);
    return true;
  }

  #room(roomId: string): Room {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = {
        id: roomId,
        live: false,
        floor: -Infinity,
        clock: 0,
        timed: false,
        settings: new Map(),
        invitees: undefined,
        members: new Map(),
        seats: new Map(),
      };
      this.#rooms.set(roomId, room);
    }
    return room;
  }

  #remember(key: string): void {
    this.#seen.add(key);
    if (this.#seen.size > this.#replayMemory) {
      const oldest = this.#seen.values().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
  }

  #count(result: ApplyResult): ApplyResult {
    this.stats[result]++;
    return result;
  }
}

/**
 * Identifies an event for replay detection. Only events with an `EventTime`:
 * two untimed events with the same content (enter, leave, enter) are
 * legitimately different, and applying them again is harmless anyway.
 */
function fingerprint(event: CallbackEvent): string | undefined {
  if (event.EventTime === undefined) return undefined;
  return createHash("sha256").update(JSON.stringify(event)).digest("base64");
}

/** Calls `change` on every item (no short-circuit) and says whether any changed something. */
function some<T>(items: readonly T[], change: (item: T) => boolean): boolean {
  let changed = false;
  for (const item of items) changed = change(item) || changed;
  return changed;
}

function isNewer(piece: Stamped<unknown> | undefined, time: number): boolean {
  return piece !== undefined && piece.at > time;
}

function isPresent(piece: Stamped<boolean>): boolean {
  return piece.value;
}

function mergeSettings(room: Room, info: RoomInfo, time: number): boolean {
  let changed = false;
  for (const [field, value] of Object.entries(info)) {
    if (field === "RoomId" || value === undefined || isNewer(room.settings.get(field), time)) continue;
    room.settings.set(field, { value, at: time });
    changed = true;
  }
  return changed;
}

/** Enters or leaves a member; leaving frees their seats. */
function setPresence(room: Room, member: string, present: boolean, time: number): boolean {
  const previous = room.members.get(member);
  if (isNewer(previous, time)) return false;
  // A member who comes back moves to the end of the entry order.
  if (previous?.value !== present) room.members.delete(member);
  room.members.set(member, { value: present, at: time });
  if (!present) vacate(room, member, undefined, time);
  return true;
}

/** Frees every seat `member` holds, but `keep`, unless a newer event set that seat. */
function vacate(room: Room, member: string, keep: number | undefined, time: number): void {
  for (const [index, seat] of room.seats) {
    if (index === keep || seat.value.member !== member || seat.at > time) continue;
    room.seats.set(index, { value: { ...seat.value, member: null }, at: time });
  }
}

function setSeat(room: Room, seat: SeatInfo, time: number): boolean {
  if (seat.Index === undefined) return false;
  const previous = room.seats.get(seat.Index);
  if (isNewer(previous, time)) return false;
  const member = seat.Member_Account ?? null;
  room.seats.set(seat.Index, {
    value: {
      index: seat.Index,
      member,
      locked: seat.IsTakenDisabled ?? previous?.value.locked ?? false,
      videoDisabled: seat.IsVideoDisabled ?? previous?.value.videoDisabled ?? false,
      audioDisabled: seat.IsAudioDisabled ?? previous?.value.audioDisabled ?? false,
    },
    at: time,
  });
  if (member !== null) {
    // A member sits on one seat at a time, and sitting proves they are in the room at that time.
    vacate(room, member, seat.Index, time);
    const presence = room.members.get(member);
    if (!isNewer(presence, time)) {
      if (!presence?.value) room.members.delete(member);
      room.members.set(member, { value: true, at: time });
    }
  }
  return true;
}

function view(room: Room): RoomView {
  const seats = [...room.seats.values()].map((seat) => seat.value).sort((a, b) => a.index - b.index);
  return {
    roomId: room.id,
    settings: Object.fromEntries([...room.settings].map(([field, piece]) => [field, piece.value])),
    invitees: room.invitees?.value ?? [],
    members: [...room.members].filter(([, piece]) => piece.value).map(([member]) => member),
    seats,
    updatedAt: room.timed ? room.clock : null,
  };
}
