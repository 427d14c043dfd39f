import { ConfigurationError } from "trtc-room-callbacks";
import {
  callbackJobId,
  createCallbackWorker,
  exponentialBackoff,
  roomIdOf,
  roomPartition,
  roomQueueNames,
} from "trtc-room-callbacks/bullmq";

/** The pure parts of durable delivery, and the checks made before any connection. */

describe("callbackJobId", () => {
  const event = { CallbackCommand: "Room.CallbackAfterDestroyRoom", RoomId: "r1", EventTime: 1 };
  it("is the same for the same callback and differs with the app, the command or any field", () => {
    const id = callbackJobId("1400000001", "Room.CallbackAfterDestroyRoom", event);
    expect(id).toMatch(/^trtc-[0-9a-f]{40}$/);
    expect(callbackJobId("1400000001", "Room.CallbackAfterDestroyRoom", { ...event })).toBe(id);
    expect(
      new Set([
        id,
        callbackJobId("1400000002", "Room.CallbackAfterDestroyRoom", event),
        callbackJobId("1400000001", "Room.CallbackAfterCreateRoom", event),
        callbackJobId("1400000001", "Room.CallbackAfterDestroyRoom", { ...event, EventTime: 2 }),
      ]).size,
    ).toBe(4);
  });
});

describe("roomIdOf", () => {
  it.each([
    [{ RoomId: "a" }, "a"],
    [{ RoomInfo: { RoomId: "b" } }, "b"],
    [{ RoomInfo: {} }, undefined],
    [{}, undefined],
  ])("%j → %s", (event, room) => expect(roomIdOf(event)).toBe(room));
});

describe("room partitions", () => {
  it("names the queues and sends a room to the same one every time, spreading rooms over all", () => {
    expect(roomQueueNames("trtc", 3)).toEqual(["trtc-0", "trtc-1", "trtc-2"]);
    const rooms = Array.from({ length: 200 }, (_, i) => `room-${i}`);
    expect(rooms.map((room) => roomPartition(room, 4))).toEqual(rooms.map((room) => roomPartition(room, 4)));
    expect(new Set(rooms.map((room) => roomPartition(room, 4)))).toEqual(new Set([0, 1, 2, 3]));
  });
  it.each([
    ["", 2],
    ["a:b", 2],
    ["trtc", 0],
    ["trtc", 1.5],
  ])("refuses roomQueueNames(%j, %d)", (name, partitions) => {
    expect(() => roomQueueNames(name, partitions)).toThrow(ConfigurationError);
  });
});

describe("exponentialBackoff", () => {
  it("doubles from the first delay up to the cap, within the jitter", () => {
    const exact = exponentialBackoff(1000, 8000, 0);
    expect([1, 2, 3, 4, 5, 10].map(exact)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    const jittered = exponentialBackoff(1000, 300_000, 0.2);
    for (let i = 0; i < 100; i++) {
      const delay = jittered(3);
      expect(delay).toBeGreaterThanOrEqual(3200);
      expect(delay).toBeLessThanOrEqual(4800);
    }
  });
  it("defaults to about 1, 2, 4 s", () => {
    const delay = exponentialBackoff()(2);
    expect(delay).toBeGreaterThanOrEqual(1600);
    expect(delay).toBeLessThanOrEqual(2400);
  });
});

describe("createCallbackWorker refuses options it cannot run with, before connecting", () => {
  const connection = { host: "127.0.0.1", port: 1 };
  const handlers = { "Room.CallbackAfterMemberEnter": () => {} };
  it.each([
    ["no queue name", () => createCallbackWorker("", { connection, handlers }), /queue's name first/],
    ["no connection", () => createCallbackWorker("q", { handlers } as never), /connection is required/],
    [
      "handlers not an object",
      () => createCallbackWorker("q", { connection, handlers: [] as never }),
      /handlers must be an object/,
    ],
    [
      "a handler under an unknown command",
      () =>
        createCallbackWorker("q", {
          connection,
          handlers: { "Room.CallbackAfterMemberEnterr": () => {} } as never,
        }),
      /not a command name/,
    ],
    [
      "attempts above the ceiling",
      () => createCallbackWorker("q", { connection, handlers, attempts: 101 }),
      /attempts must be an integer from 1 to 100/,
    ],
    [
      "a backoff that is not a function",
      () => createCallbackWorker("q", { connection, handlers, backoff: 1000 as never }),
      /backoff must be a function/,
    ],
    [
      "a BullMQ option at the top level",
      () => createCallbackWorker("q", { connection, handlers, lockDuration: 1000 } as never),
      /lockDuration is a BullMQ option: pass it in workerOptions/,
    ],
    [
      "a misspelt option",
      () => createCallbackWorker("q", { connection, handlers, onerror: () => {} } as never),
      /unknown option "onerror": did you mean "onError"\?/,
    ],
  ])("%s", (_name, create, message) => {
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});
