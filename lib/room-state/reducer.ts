import type { CallbackEvent, RoomInfo, SeatInfo } from "../index";
import { canonicalJson, eventOf, isTimed } from "./entry";
import type { LogEntry, RoomView, SeatView } from "./types";

/**
 * A room's state while events are folded into it, in order. Applying events one at a time in
 * order is all these rules have to get right: ordering, duplicates and late delivery are the
 * log's business.
 */
export interface RoomFold {
  /** Whether some event since the last destroy changed the room. */
  exists: boolean;
  settings: Map<string, unknown>;
  invitees: string[];
  /** Present members, in order of entry (a Set keeps it, and finds a member without a scan). */
  members: Set<string>;
  seats: Map<number, SeatView>;
  /** The seat each seated member is on (one at most): freeing a member's seat reads it, not every seat. */
  seatOf: Map<string, number>;
  updatedAt: number | null;
}

/** A room that does not exist (never seen, or just destroyed). */
export function emptyFold(): RoomFold {
  return {
    exists: false,
    settings: new Map(),
    invitees: [],
    members: new Set(),
    seats: new Map(),
    seatOf: new Map(),
    updatedAt: null,
  };
}

/**
 * Applies one event to the state, in place. `timed` says whether the event carried its own
 * `EventTime`; only such times become `updatedAt`.
 */
export function applyEvent(room: RoomFold, event: CallbackEvent, time: number, timed: boolean): void {
  let changed: boolean;
  switch (event.CallbackCommand) {
    case "Room.CallbackAfterDestroyRoom":
      Object.assign(room, emptyFold());
      return;
    case "Room.CallbackAfterCreateRoom": {
      changed = mergeSettings(room, event.RoomInfo);
      const invitees = event.ScheduleInviteeList_Account;
      if (invitees) {
        room.invitees = [...new Set(invitees)];
        changed = true;
      }
      break;
    }
    case "Room.CallbackAfterUpdateRoomInfo":
      changed = mergeSettings(room, event.RoomInfo);
      break;
    case "Room.CallbackAfterMemberEnter":
      changed = each(event.MemberList_Account ?? [], (member) => enter(room, member));
      break;
    case "Room.CallbackAfterMemberLeave":
      changed = each(event.MemberList_Account ?? [], (member) => leave(room, member));
      break;
    case "Mic.CallbackAfterSeatInfoChanged":
      changed = each(event.SeatList ?? [], (seat) => setSeat(room, seat));
      break;
    default:
      return;
  }
  if (!changed) return;
  room.exists = true;
  if (timed) room.updatedAt = room.updatedAt === null ? time : Math.max(room.updatedAt, time);
}

/** Folds log entries, in order, into `room` (in place). */
export function foldEntries(room: RoomFold, entries: Iterable<LogEntry>): RoomFold {
  for (const entry of entries) applyEvent(room, eventOf(entry), entry.time, isTimed(entry));
  return room;
}

/** The room as users see it; `undefined` if it does not exist. */
export function viewOf(roomId: string, room: RoomFold): RoomView | undefined {
  if (!room.exists) return undefined;
  return {
    roomId,
    settings: Object.fromEntries(room.settings),
    invitees: [...room.invitees],
    members: [...room.members],
    seats: [...room.seats.values()].sort((a, b) => a.index - b.index).map((seat) => ({ ...seat })),
    updatedAt: room.updatedAt,
  };
}

/** The state as a snapshot string (ASCII JSON, like log entries). */
export function serializeFold(room: RoomFold): string {
  return canonicalJson({
    exists: room.exists,
    settings: [...room.settings],
    invitees: room.invitees,
    members: [...room.members],
    seats: [...room.seats.values()],
    updatedAt: room.updatedAt,
  });
}

/** The state a snapshot string holds; an empty room for `undefined`. */
export function parseFold(snapshot: string | undefined): RoomFold {
  if (snapshot === undefined) return emptyFold();
  const saved = JSON.parse(snapshot) as {
    exists: boolean;
    settings: [string, unknown][];
    invitees: string[];
    members: string[];
    seats: SeatView[];
    updatedAt: number | null;
  };
  const seatOf = new Map<string, number>();
  for (const seat of saved.seats) if (seat.member !== null) seatOf.set(seat.member, seat.index);
  return {
    exists: saved.exists,
    settings: new Map(saved.settings),
    invitees: saved.invitees,
    members: new Set(saved.members),
    seats: new Map(saved.seats.map((seat) => [seat.index, seat])),
    seatOf,
    updatedAt: saved.updatedAt,
  };
}

/** Calls `change` on every item (no short-circuit) and says whether any changed something. */
function each<T>(items: readonly T[], change: (item: T) => boolean): boolean {
  let changed = false;
  for (const item of items) changed = change(item) || changed;
  return changed;
}

function mergeSettings(room: RoomFold, info: RoomInfo): boolean {
  let changed = false;
  for (const [field, value] of Object.entries(info)) {
    if (field === "RoomId" || value === undefined) continue;
    room.settings.set(field, value);
    changed = true;
  }
  return changed;
}

/** A member who is not in the room joins the end of the entry order; one who is stays put. */
function enter(room: RoomFold, member: string): boolean {
  room.members.add(member);
  return true;
}

/** A member leaves (whatever the `Type`: `Leave`, `Kicked`, `Expired`) and their seats are freed. */
function leave(room: RoomFold, member: string): boolean {
  room.members.delete(member);
  vacate(room, member, undefined);
  return true;
}

/** Frees the seat `member` is on, unless it is `keep`. */
function vacate(room: RoomFold, member: string, keep: number | undefined): void {
  const index = room.seatOf.get(member);
  if (index === undefined || index === keep) return;
  const seat = room.seats.get(index);
  if (seat !== undefined && seat.member === member) seat.member = null;
  room.seatOf.delete(member);
}

/** Sets a seat; a flag the event leaves out keeps its value. A member who sits down is in the room, on that seat only. */
function setSeat(room: RoomFold, seat: SeatInfo): boolean {
  if (seat.Index === undefined) return false;
  const previous = room.seats.get(seat.Index);
  // "" or null as well as absent: events applied directly have not been normalised by the router.
  const member = seat.Member_Account || null;
  // Whoever sat here and is replaced (or the seat emptied) is no longer on it.
  if (previous?.member && previous.member !== member && room.seatOf.get(previous.member) === seat.Index) {
    room.seatOf.delete(previous.member);
  }
  room.seats.set(seat.Index, {
    index: seat.Index,
    member,
    locked: seat.IsTakenDisabled ?? previous?.locked ?? false,
    videoDisabled: seat.IsVideoDisabled ?? previous?.videoDisabled ?? false,
    audioDisabled: seat.IsAudioDisabled ?? previous?.audioDisabled ?? false,
  });
  if (member !== null) {
    vacate(room, member, seat.Index);
    room.seatOf.set(member, seat.Index);
    enter(room, member);
  }
  return true;
}
