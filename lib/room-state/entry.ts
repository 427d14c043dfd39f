import type { CallbackCommand, CallbackEvent } from "../index";
import type { LogEntry, NewEntry } from "./types";

/**
 * The order of commands that share an `EventTime`: the order in which a meeting's life runs,
 * so a room is created before anyone enters it, a member enters before taking a seat and leaves
 * after it, and a destroy comes last.
 */
export const COMMAND_RANK: Readonly<Record<CallbackCommand, number>> = {
  "Room.CallbackAfterCreateRoom": 0,
  "Room.CallbackAfterUpdateRoomInfo": 1,
  "Room.CallbackAfterMemberEnter": 2,
  "Mic.CallbackAfterSeatInfoChanged": 3,
  "Room.CallbackAfterMemberLeave": 4,
  "Room.CallbackAfterDestroyRoom": 5,
};

const OLD_UPDATE = "Room.CallbackUpdateRoomInfo";
const SEQUENCE_DIGITS = 10;
const RANK_DIGITS = 1;

/** The key of a log entry: the sequence (0 for timed events) as 10 digits, then the tail. */
export function entryKey(sequence: number, tail: string): string {
  return String(sequence).padStart(SEQUENCE_DIGITS, "0") + tail;
}

/** Orders log entries: by time, then by key (ASCII, so `<` is byte order, as in Redis). */
export function compareEntries(a: LogEntry, b: LogEntry): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Whether the entry's event carried its own `EventTime` (the store stamped the others). */
export function isTimed(entry: LogEntry): boolean {
  return entry.key.startsWith("0".repeat(SEQUENCE_DIGITS));
}

/** The event a log entry holds. */
export function eventOf(entry: LogEntry): CallbackEvent {
  return JSON.parse(entry.key.slice(SEQUENCE_DIGITS + RANK_DIGITS)) as CallbackEvent;
}

/** The room an event is about. */
export function roomIdOf(event: CallbackEvent): string {
  const id = "RoomInfo" in event ? event.RoomInfo?.RoomId : event.RoomId;
  if (typeof id !== "string" || id === "") {
    throw new TypeError(
      `a ${event.CallbackCommand} event needs its room ID (${"RoomInfo" in event ? "RoomInfo.RoomId" : "RoomId"}): pass the event as the router validated it`,
    );
  }
  return id;
}

/** The room an event is about and the entry to append for it. */
export function toEntry(event: CallbackEvent): { roomId: string; entry: NewEntry } {
  const command = (
    (event.CallbackCommand as string) === OLD_UPDATE
      ? "Room.CallbackAfterUpdateRoomInfo"
      : event.CallbackCommand
  ) as CallbackCommand;
  const rank = COMMAND_RANK[command] as number | undefined;
  if (rank === undefined) {
    throw new TypeError(
      `room state cannot apply a ${JSON.stringify(String(command))} event: pass one of the six Room callbacks' events, with its CallbackCommand`,
    );
  }
  const roomId = roomIdOf(event);
  const time = event.EventTime;
  if (time !== undefined && !Number.isFinite(time)) {
    throw new TypeError(`EventTime must be a finite number of milliseconds, not ${String(time)}`);
  }
  return {
    roomId,
    entry: {
      time,
      tail: String(rank) + canonicalJson({ ...event, CallbackCommand: command }),
      resets: command === "Room.CallbackAfterDestroyRoom",
    },
  };
}

/**
 * JSON with every object's keys sorted (as strings) and every character beyond ASCII escaped, so
 * equal events serialise to equal strings on every instance, and the string survives any store
 * byte for byte (lone surrogates included). Otherwise as `JSON.stringify`: `undefined` and
 * functions are left out of objects and are `null` in arrays, as are non-finite numbers.
 */
export function canonicalJson(value: unknown): string {
  const text = write(value) ?? "null";
  return NOT_ASCII.test(text) ? text.replace(NOT_ASCII_ALL, escapeChar) : text;
}

const NOT_ASCII = /[\u007f-\uffff]/;
const NOT_ASCII_ALL = /[\u007f-\uffff]/g;
const escapeChar = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? "null").join(",")}]`;
      const fields: string[] = [];
      for (const name of Object.keys(value).sort()) {
        const item = write((value as Record<string, unknown>)[name]);
        if (item !== undefined) fields.push(`${JSON.stringify(name)}:${item}`);
      }
      return `{${fields.join(",")}}`;
    }
    default:
      return undefined;
  }
}
