import express from "express";
import fc from "fast-check";
import request from "supertest";
import {
  createCallbackRouter,
  type CallbackEvent,
  type CallbackHandlers,
  type RoomInfo,
  type SeatInfo,
} from "trtc-room-callbacks";
import {
  canonicalJson,
  compareEntries,
  createRoomState,
  entryKey,
  memoryRoomStore,
  type RoomStore,
  type RoomView,
} from "trtc-room-callbacks/room-state";
import { callbackQuery, createCallbackTester } from "trtc-room-callbacks/testing";
import { planMeeting } from "../lib/cli/meeting";
import { applyEvent, emptyFold, viewOf } from "../lib/room-state/reducer";

const ROOM = "room-1";
const T = 1_700_000_000_000;

const create = (
  time: number | undefined,
  info: Partial<RoomInfo> = {},
  invitees?: string[],
): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterCreateRoom",
  RoomInfo: { RoomId: ROOM, ...info },
  ...(invitees && { ScheduleInviteeList_Account: invitees }),
  ...(time !== undefined && { EventTime: time }),
});
const update = (time: number | undefined, info: Partial<RoomInfo>): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterUpdateRoomInfo",
  RoomInfo: { RoomId: ROOM, ...info },
  ...(time !== undefined && { EventTime: time }),
});
const enter = (time: number | undefined, ...members: string[]): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterMemberEnter",
  RoomId: ROOM,
  MemberList_Account: members,
  ...(time !== undefined && { EventTime: time }),
});
const leave = (time: number | undefined, ...members: string[]): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterMemberLeave",
  RoomId: ROOM,
  Type: "Leave",
  MemberList_Account: members,
  ...(time !== undefined && { EventTime: time }),
});
const seats = (time: number | undefined, ...list: SeatInfo[]): CallbackEvent => ({
  CallbackCommand: "Mic.CallbackAfterSeatInfoChanged",
  RoomId: ROOM,
  SeatList: list,
  ...(time !== undefined && { EventTime: time }),
});
const destroy = (time: number | undefined): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterDestroyRoom",
  RoomId: ROOM,
  ...(time !== undefined && { EventTime: time }),
});

/** The pure reducer, fed events in the order given (the caller's job to sort them). */
function fold(events: CallbackEvent[]): RoomView | undefined {
  const room = emptyFold();
  for (const event of events) applyEvent(room, event, event.EventTime ?? 0, event.EventTime !== undefined);
  return viewOf(ROOM, room);
}

async function applyAll(events: CallbackEvent[], store: RoomStore = memoryRoomStore(), maxEvents?: number) {
  const rooms = createRoomState({ store, ...(maxEvents !== undefined && { maxEvents }) });
  const results = [];
  for (const event of events) results.push(await rooms.apply(event));
  return { rooms, results };
}

async function roomOf(rooms: { get(id: string): Promise<RoomView | undefined> }): Promise<RoomView> {
  const found = await rooms.get(ROOM);
  if (!found) throw new Error(`${ROOM} does not exist`);
  return found;
}

/** The meeting: two members, three seats, kept standing; times T+10, T+20, … */
function kickAndLockMeeting(): CallbackEvent[] {
  let now = T;
  const steps = planMeeting({ roomId: ROOM, members: 2, seats: 3, keepRoom: true }, () => (now += 10));
  return steps.map((step) => step().event);
}

describe("canonicalJson", () => {
  it("sorts keys at every level, keeps array order, escapes beyond ASCII, leaves out undefined", () => {
    expect(canonicalJson({ b: [3, { d: 1, c: "é" }], a: undefined, "10": true, "9": null })).toBe(
      '{"10":true,"9":null,"b":[3,{"c":"\\u00e9","d":1}]}',
    );
    expect(canonicalJson([undefined, Infinity, "\ud800"])).toBe('[null,null,"\\ud800"]');
  });

  it("is ASCII, reads back as the same value, and does not depend on key order", () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value !== null && typeof value === "object"
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, item]) => [key, reversed(item)]),
            )
          : value;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(/^[ -~]*$/.test(text)).toBe(true);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reversed(value))).toBe(text);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});

describe("the reducer (events applied in order)", () => {
  it("merges settings, keeps invitees without repeats, and unknown fields", () => {
    expect(
      fold([
        create(100, { RoomName: "Standup", MaxSeatCount: 4 }, ["bob", "carol", "bob"]),
        update(200, { RoomName: "Retro", CoverURL: "c.png" } as Partial<RoomInfo>),
      ]),
    ).toEqual({
      roomId: ROOM,
      settings: { RoomName: "Retro", MaxSeatCount: 4, CoverURL: "c.png" },
      invitees: ["bob", "carol"],
      members: [],
      seats: [],
      updatedAt: 200,
    });
  });

  it("lists members in order of entry; one who comes back goes to the end; a present one stays put", () => {
    expect(
      fold([
        enter(100, "alice", "bob"),
        enter(110, "carol"),
        leave(120, "alice"),
        enter(125, "bob"),
        enter(130, "alice"),
      ])?.members,
    ).toEqual(["bob", "carol", "alice"]);
  });

  it("seats members, moves one who changes seats, frees the seats of one who leaves, keeps omitted flags", () => {
    const room = fold([
      enter(100, "alice", "bob"),
      seats(
        110,
        { Index: 2, Member_Account: "bob" },
        { Index: 1, Member_Account: "alice", IsAudioDisabled: true },
      ),
      seats(120, { Index: 3, Member_Account: "alice" }, { Index: 1, IsTakenDisabled: true }),
      leave(130, "bob"),
    ]);
    expect(room?.seats).toEqual([
      { index: 1, member: null, locked: true, videoDisabled: false, audioDisabled: true },
      { index: 2, member: null, locked: false, videoDisabled: false, audioDisabled: false },
      { index: 3, member: "alice", locked: false, videoDisabled: false, audioDisabled: false },
    ]);
    expect(room?.members).toEqual(["alice"]);
  });

  it("keeps a seat with the member who took it over when the one who sat there before leaves", () => {
    const room = fold([
      enter(100, "alice", "bob"),
      seats(110, { Index: 1, Member_Account: "alice" }),
      seats(120, { Index: 1, Member_Account: "bob" }),
      leave(130, "alice"),
      seats(140, { Index: 2, Member_Account: "alice" }, { Index: 1, IsTakenDisabled: true }),
      leave(150, "bob"),
    ]);
    expect(room?.seats.map((seat) => [seat.index, seat.member, seat.locked])).toEqual([
      [1, null, true],
      [2, "alice", false],
    ]);
    expect(room?.members).toEqual(["alice"]);
  });

  it("folds the largest lists allowed (10,000 members entering, sitting and leaving) in one pass each", () => {
    const members = Array.from({ length: 10_000 }, (_, i) => `m${i}`);
    const room = fold([
      enter(100, ...members),
      seats(110, ...members.map((member, index) => ({ Index: index, Member_Account: member }))),
      leave(120, ...members.slice(0, 9_999)),
    ]);
    expect(room?.members).toEqual(["m9999"]);
    expect(room?.seats.filter((seat) => seat.member !== null)).toEqual([
      { index: 9_999, member: "m9999", locked: false, videoDisabled: false, audioDisabled: false },
    ]);
  });

  it('counts a member who sits down as in the room; an empty seat\'s "" is nobody', () => {
    expect(
      fold([seats(100, { Index: 0, Member_Account: "dave" }, { Index: 1, Member_Account: "" })]),
    ).toMatchObject({
      members: ["dave"],
      seats: [{ member: "dave" }, { member: null }],
    });
  });

  it("does not create a room from an event that changes nothing (a seat without Index, an empty list)", () => {
    expect(fold([seats(100, { Member_Account: "alice" }), enter(110), update(120, {})])).toBeUndefined();
  });

  it("removes a destroyed room; what follows the destroy starts afresh", () => {
    expect(fold([create(100, { RoomName: "Monday" }), enter(110, "alice"), destroy(200)])).toBeUndefined();
    expect(
      fold([
        create(100, { RoomName: "Monday" }),
        enter(110, "alice"),
        destroy(200),
        create(300, { RoomName: "Tuesday" }),
      ]),
    ).toEqual({
      roomId: ROOM,
      settings: { RoomName: "Tuesday" },
      invitees: [],
      members: [],
      seats: [],
      updatedAt: 300,
    });
  });

  it("takes updatedAt only from events that carried an EventTime", () => {
    expect(fold([enter(undefined, "alice")])?.updatedAt).toBeNull();
  });
});

describe("ordering: the state is the in-order result, whatever the arrival order", () => {
  it("the issue's example: a kick that arrives before the seat is left and locked leaves it locked", async () => {
    const events = kickAndLockMeeting();
    // 0 create, 1-2 enter, 3 member-1 takes seat 0, 4 member-2 takes seat 1,
    // 5 member-2 leaves seat 1, 6 seat 1 locked, 7 member-2 kicked, 8 update.
    expect(events.map((event) => event.CallbackCommand)[7]).toBe("Room.CallbackAfterMemberLeave");
    const inOrder = await roomOf((await applyAll(events)).rooms);
    expect(inOrder.seats[1]).toEqual({
      index: 1,
      member: null,
      locked: true,
      videoDisabled: false,
      audioDisabled: false,
    });
    expect(inOrder.members).toEqual(["member-1"]);

    const arrival = [0, 1, 2, 3, 4, 7, 5, 6, 8].map((i) => events[i] as CallbackEvent);
    const { rooms, results } = await applyAll(arrival);
    expect(results.every((result) => result === "applied")).toBe(true);
    expect(await roomOf(rooms)).toEqual(inOrder);
    expect(fold(events)).toEqual(inOrder);
  });

  it("lists members in order of entry, not of arrival", async () => {
    const { rooms } = await applyAll([enter(130, "carol"), enter(110, "alice"), enter(120, "bob")]);
    expect((await roomOf(rooms)).members).toEqual(["alice", "bob", "carol"]);
  });

  it("does not let an older update overwrite a newer setting, and fills in what nothing newer set", async () => {
    const { rooms } = await applyAll([
      update(200, { RoomName: "new" }),
      update(150, { RoomName: "old" }),
      create(100, { RoomName: "first", MaxSeatCount: 8 }),
    ]);
    expect(await roomOf(rooms)).toMatchObject({
      settings: { RoomName: "new", MaxSeatCount: 8 },
      updatedAt: 200,
    });
  });

  it("keeps a destroyed room destroyed when its older events arrive after the destroy", async () => {
    const { rooms, results } = await applyAll([
      create(100, { RoomName: "Monday" }),
      destroy(200),
      create(150, { RoomName: "late" }),
      enter(190, "alice"),
      destroy(100),
    ]);
    expect(results).toEqual(["applied", "applied", "stale", "stale", "stale"]);
    expect(await rooms.get(ROOM)).toBeUndefined();
    expect(await rooms.list()).toEqual([]);
  });

  it("keeps what is newer than a destroy that arrives late (the room ID reused)", async () => {
    const { rooms } = await applyAll([
      create(100, { RoomName: "Monday" }),
      enter(300, "carol"),
      destroy(200),
    ]);
    expect(await roomOf(rooms)).toMatchObject({ settings: {}, members: ["carol"], updatedAt: 300 });
  });

  it("breaks ties of EventTime by command (create, update, enter, seat, leave, destroy), then canonical JSON", async () => {
    // Arrival order leave, enter: the rank puts the enter first, so alice is gone.
    const { rooms } = await applyAll([
      leave(100, "alice"),
      enter(100, "alice", "bob"),
      create(100, { RoomName: "x" }),
    ]);
    expect((await roomOf(rooms)).members).toEqual(["bob"]);
    // Two updates at the same time: the one whose canonical JSON sorts last wins, whichever came first.
    const a = update(100, { RoomName: "A" });
    const b = update(100, { RoomName: "B" });
    expect(canonicalJson(a) < canonicalJson(b)).toBe(true);
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      expect((await roomOf((await applyAll(order)).rooms)).settings.RoomName).toBe("B");
    }
    // A destroy at the same time as an event of its room comes after it.
    expect((await applyAll([destroy(100), enter(100, "alice")])).results).toEqual(["applied", "stale"]);
  });

  it("places an event without EventTime at the room's latest time, after the timed events of that time, in arrival order", async () => {
    const { rooms, results } = await applyAll([
      enter(100, "alice"),
      leave(undefined, "alice"),
      enter(undefined, "alice"),
      leave(undefined, "alice"),
    ]);
    expect(results).toEqual(["applied", "applied", "applied", "applied"]);
    expect(await roomOf(rooms)).toMatchObject({ members: [], updatedAt: 100 });
  });
});

describe("replays", () => {
  it("recognises a replayed event, in any key order, and changes nothing", async () => {
    const entered = enter(100, "alice");
    const reordered = JSON.parse(
      JSON.stringify({
        EventTime: 100,
        MemberList_Account: ["alice"],
        RoomId: ROOM,
        CallbackCommand: "Room.CallbackAfterMemberEnter",
      }),
    ) as CallbackEvent;
    const { rooms, results } = await applyAll([entered, leave(100, "alice"), { ...entered }, reordered]);
    expect(results).toEqual(["applied", "applied", "duplicate", "duplicate"]);
    expect((await roomOf(rooms)).members).toEqual([]);
  });

  it("treats the older update spelling as the same event", async () => {
    const event = update(100, { RoomName: "x" });
    const old = { ...event, CallbackCommand: "Room.CallbackUpdateRoomInfo" } as unknown as CallbackEvent;
    expect((await applyAll([event, old])).results).toEqual(["applied", "duplicate"]);
  });

  it("recognises a replayed destroy", async () => {
    expect((await applyAll([destroy(100), destroy(100)])).results).toEqual(["applied", "duplicate"]);
  });
});

describe("the bound: maxEvents", () => {
  const many = (count: number, from = 1000, name = "member") =>
    Array.from({ length: count }, (_, i) => enter(from + i * 10, `${name}-${String(i).padStart(3, "0")}`));

  it("folds the oldest half into a snapshot past maxEvents, with the same result", async () => {
    const events = [create(900, { RoomName: "big" }), ...many(40), leave(1395, "member-005")];
    const store = memoryRoomStore();
    const { rooms } = await applyAll(events, store, 8);
    const record = await store.load(ROOM);
    expect(record?.snapshot).toBeDefined();
    expect(record?.entries.length).toBeLessThanOrEqual(8);
    expect(await roomOf(rooms)).toEqual(await roomOf((await applyAll(events)).rooms));
  });

  it("places a late event right while fewer than maxEvents / 2 newer events came first", async () => {
    const late = leave(1005, "member-000");
    const events = [...many(4), late, ...many(10, 1100, "other")];
    const { rooms, results } = await applyAll(events, memoryRoomStore(), 8);
    expect(results[4]).toBe("applied");
    expect((await roomOf(rooms)).members).not.toContain("member-000");
  });

  it("the edge: maxEvents / 2 newer events before a late one are fine, one more may not be", async () => {
    // maxEvents 8: the 9th event folds the oldest 5 (1010-1050) and keeps 4 (1060-1090).
    const { results } = await applyAll(
      [...many(9, 1010), leave(1055, "member-000"), leave(1045, "member-000")],
      memoryRoomStore(),
      8,
    );
    expect(results.slice(-2)).toEqual(["applied", "stale"]);
  });

  it("ignores, as stale, an event that arrives after more newer events than that", async () => {
    const late = leave(1005, "member-000");
    const { rooms, results } = await applyAll([...many(20), late], memoryRoomStore(), 8);
    expect(results.at(-1)).toBe("stale");
    expect((await roomOf(rooms)).members).toContain("member-000");
    // The replay of an event already folded is stale too: it changes nothing either way.
    const again = await applyAll([...many(20), ...many(1)], memoryRoomStore(), 8);
    expect(again.results.at(-1)).toBe("stale");
  });

  it("refuses a maxEvents that cannot work", () => {
    expect(() => createRoomState({ maxEvents: 1 })).toThrow("maxEvents must be a whole number ≥ 2, not 1");
    expect(() => createRoomState({ maxEvents: 2.5 })).toThrow(TypeError);
  });
});

describe("memoryRoomStore", () => {
  it("forgets a destroyed room after destroyedRoomTtlMs, and keeps it while newer events live", async () => {
    let now = 0;
    const store = memoryRoomStore({ destroyedRoomTtlMs: 1000, now: () => now });
    const rooms = createRoomState({ store });
    await rooms.apply(create(100, { RoomName: "x" }));
    await rooms.apply(destroy(200));
    now = 999;
    expect(await store.roomIds()).toEqual([ROOM]);
    expect(await rooms.apply(enter(150, "alice"))).toBe("stale");
    now = 1000;
    expect(await store.roomIds()).toEqual([]);
    // Past the retention, an older event is a new room: the documented cost of forgetting.
    expect(await rooms.apply(enter(150, "alice"))).toBe("applied");
    await rooms.apply(destroy(300));
    await rooms.apply(enter(400, "bob"));
    now = 1_000_000;
    expect((await roomOf(rooms)).members).toEqual(["bob"]);
  });

  it("keeps entries in (time, key) order and compacts only an unchanged prefix", async () => {
    const store = memoryRoomStore();
    const tail = (name: string) => `2${canonicalJson(enter(1, name))}`;
    await store.append(ROOM, { time: 20, tail: tail("b"), resets: false });
    await store.append(ROOM, { time: 10, tail: tail("a"), resets: false });
    await store.append(ROOM, { time: 20, tail: tail("a"), resets: false });
    const record = await store.load(ROOM);
    expect(record?.entries.map((entry) => entry.time)).toEqual([10, 20, 20]);
    expect([...(record?.entries ?? [])].sort(compareEntries)).toEqual(record?.entries);
    const through = record?.entries[1] as { time: number; key: string };
    expect(through.key).toBe(entryKey(0, tail("a")));
    // Something inserted before `through` since the load: the compaction would lose it, so it is refused.
    await store.append(ROOM, { time: 15, tail: tail("c"), resets: false });
    expect(await store.compact(ROOM, { expectedFloor: undefined, through, count: 2, snapshot: "{}" })).toBe(
      false,
    );
    expect(await store.compact(ROOM, { expectedFloor: undefined, through, count: 3, snapshot: "{}" })).toBe(
      true,
    );
    expect(await store.load(ROOM)).toEqual({
      floor: through,
      snapshot: "{}",
      entries: [{ time: 20, key: entryKey(0, tail("b")) }],
    });
  });
});

describe("createRoomState", () => {
  it("refuses what is not a store, and events it cannot place, saying what to pass", async () => {
    expect(() => createRoomState({ store: {} as RoomStore })).toThrow(
      "store must be a RoomStore (memoryRoomStore(), redisRoomStore(client) or your own), but its append is not a function",
    );
    const rooms = createRoomState();
    await expect(
      rooms.apply({ CallbackCommand: "Room.CallbackAfterMemberEnter" } as CallbackEvent),
    ).rejects.toThrow(
      "a Room.CallbackAfterMemberEnter event needs its room ID (RoomId): pass the event as the router validated it",
    );
    await expect(
      rooms.apply({ CallbackCommand: "Live.Other", RoomId: ROOM } as unknown as CallbackEvent),
    ).rejects.toThrow('room state cannot apply a "Live.Other" event');
  });

  it("refuses an option it does not know, listing the ones it does", () => {
    expect(() => createRoomState({ stores: memoryRoomStore() } as never)).toThrow(
      'createRoomState has no option "stores": its options are "store", "maxEvents"',
    );
    expect(() => memoryRoomStore({ ttl: 1 } as never)).toThrow(
      'memoryRoomStore has no option "ttl": its options are "destroyedRoomTtlMs", "now"',
    );
    expect(() => createRoomState(null as never)).toThrow("createRoomState takes an options object, not null");
  });

  it("lists every room that exists, sorted by ID", async () => {
    const rooms = createRoomState();
    for (const id of ["b", "c", "a"]) await rooms.apply({ ...enter(100, "x"), RoomId: id } as CallbackEvent);
    await rooms.apply({ ...destroy(200), RoomId: "c" } as CallbackEvent);
    expect((await rooms.list()).map((room) => room.roomId)).toEqual(["a", "b"]);
  });

  it("keeps exact strings through the log: 18-digit IDs, non-ASCII and lone surrogates", async () => {
    const rooms = createRoomState();
    await rooms.apply(create(100, { RoomName: "會議 🎉 \ud800", Owner_Account: "144115233775727695" }));
    expect((await roomOf(rooms)).settings).toEqual({
      RoomName: "會議 🎉 \ud800",
      Owner_Account: "144115233775727695",
    });
  });
});

describe('rooms.on("change")', () => {
  it("tells every instance sharing a memory store which room an event was applied to, not for duplicates or stale events", async () => {
    const store = memoryRoomStore();
    const a = createRoomState({ store });
    const b = createRoomState({ store });
    const heard: string[] = [];
    const stop = await b.on("change", (roomId) => {
      heard.push(roomId);
      throw new Error("a listener's failure stays its own");
    });
    await a.apply(create(100, { RoomName: "x" }));
    await a.apply(create(100, { RoomName: "x" }));
    await a.apply({ ...enter(100, "alice"), RoomId: "room-2" } as CallbackEvent);
    await a.apply(destroy(200));
    await a.apply(enter(150, "late"));
    await Promise.resolve();
    expect(heard).toEqual([ROOM, "room-2", ROOM]);
    await stop();
    await a.apply(enter(300, "bob"));
    await Promise.resolve();
    expect(heard).toHaveLength(3);
  });

  it("refuses what it cannot do, saying why", async () => {
    const withoutWatch: RoomStore = { ...memoryRoomStore(), watch: undefined };
    await expect(createRoomState({ store: withoutWatch }).on("change", () => {})).rejects.toThrow(
      "this store cannot report changes: give it a watch method (memoryRoomStore and redisRoomStore have one)",
    );
    await expect(createRoomState().on("update" as "change", () => {})).rejects.toThrow(
      'rooms.on takes "change", not "update"',
    );
  });
});

describe("rooms.handlers in a real router", () => {
  it("keeps the state from callbacks sent over HTTP to createCallbackRouter", async () => {
    const rooms = createRoomState({ store: memoryRoomStore() });
    const app = express();
    app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers: rooms.handlers }));
    const events = kickAndLockMeeting();
    for (const index of [0, 1, 2, 3, 4, 7, 5, 6, 8, 8]) {
      const event = events[index] as CallbackEvent;
      await request(app)
        .post("/trtc")
        .query(callbackQuery({ sdkAppId: 1400000001, command: event.CallbackCommand }))
        .send(JSON.stringify(event))
        .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    }
    expect(await roomOf(rooms)).toEqual(fold(events));
  });

  it("acks FAIL and reports to onError when the store fails", async () => {
    const broken: RoomStore = {
      ...memoryRoomStore(),
      append: () => Promise.reject(new Error("store unreachable")),
    };
    const rooms = createRoomState({ store: broken });
    const tester = createCallbackTester({ sdkAppId: 1400000001, handlers: rooms.handlers });
    const result = await tester.send("Room.CallbackAfterMemberEnter");
    expect(result.ack).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 5000 });
    expect(result.errors.map((error) => (error.cause as Error).message)).toEqual(["store unreachable"]);
  });

  it("merges with your own handlers, as the README shows", async () => {
    function sample() {
      // README: "Room state: your own handlers" (begin)
      const rooms = createRoomState({ store: memoryRoomStore() });
      const welcomed: string[] = [];
      const handlers: CallbackHandlers = {
        ...rooms.handlers,
        // A command you handle too: apply the event to the room state, then do your own work.
        "Room.CallbackAfterMemberEnter": async (event) => {
          await rooms.apply(event);
          const room = await rooms.get(event.RoomId);
          welcomed.push(
            `${event.MemberList_Account?.join(", ")} joined ${room?.settings.RoomName ?? event.RoomId}`,
          );
        },
      };
      const router = createCallbackRouter({ sdkAppId: 1400000001, handlers });
      // README: "Room state: your own handlers" (end)
      return { rooms, welcomed, router };
    }
    const { rooms, welcomed, router } = sample();
    const app = express();
    app.use("/trtc", router);
    for (const event of [
      create(100, { RoomName: "Standup" }),
      enter(110, "alice", "bob"),
      seats(120, { Index: 0, Member_Account: "alice" }),
    ]) {
      await request(app)
        .post("/trtc")
        .query(callbackQuery({ sdkAppId: 1400000001, command: event.CallbackCommand }))
        .send(JSON.stringify(event))
        .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
    }
    expect(welcomed).toEqual(["alice, bob joined Standup"]);
    expect(await roomOf(rooms)).toMatchObject({
      members: ["alice", "bob"],
      seats: [{ index: 0, member: "alice" }],
    });
  });
});
