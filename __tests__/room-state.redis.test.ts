import express from "express";
import Redis from "ioredis";
import request from "supertest";
import { createCallbackRouter, type CallbackEvent } from "trtc-room-callbacks";
import {
  canonicalJson,
  createRoomState,
  entryKey,
  memoryRoomStore,
  redisRoomStore,
  type RoomState,
  type RoomStore,
  type RoomView,
} from "trtc-room-callbacks/room-state";
import { callbackQuery, sampleEvent } from "trtc-room-callbacks/testing";
import { planMeeting } from "../lib/cli/meeting";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

const ROOM = "room-1";
const T = 1_700_000_000_000;
// Real servers on a shared machine: restarts and concurrent instances take their time.
jest.setTimeout(30_000);

const enter = (time: number | undefined, ...members: string[]) =>
  sampleEvent("Room.CallbackAfterMemberEnter", {
    RoomId: ROOM,
    MemberList_Account: members,
    EventTime: time,
  });
const leave = (time: number | undefined, ...members: string[]) =>
  sampleEvent("Room.CallbackAfterMemberLeave", {
    RoomId: ROOM,
    MemberList_Account: members,
    EventTime: time,
  });
const destroy = (time: number) =>
  sampleEvent("Room.CallbackAfterDestroyRoom", { RoomId: ROOM, EventTime: time });
const create = (time: number, name: string) =>
  sampleEvent("Room.CallbackAfterCreateRoom", {
    RoomInfo: { RoomId: ROOM, RoomName: name },
    ScheduleInviteeList_Account: ["bob"],
    EventTime: time,
  });

/** The meeting (two members, three seats), kept standing. */
function meeting(): CallbackEvent[] {
  let now = T;
  return planMeeting({ roomId: ROOM, members: 2, seats: 3, keepRoom: true }, () => (now += 10)).map(
    (step) => step().event,
  );
}

async function inOrder(events: CallbackEvent[]): Promise<RoomView | undefined> {
  const rooms = createRoomState({ store: memoryRoomStore() });
  const sorted = [...events].sort((a, b) => (a.EventTime ?? 0) - (b.EventTime ?? 0));
  for (const event of sorted) await rooms.apply(event);
  return rooms.get(ROOM);
}

describeWithServer("redis-server", "redisRoomStore on a real redis-server", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let prefixes = 0;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await server?.close();
  });

  /** A client of its own for each instance, as separate processes would have. */
  function client(): Redis {
    const made = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(made);
    return made;
  }
  /** `count` instances sharing one fresh prefix. */
  function instances(count: number, maxEvents?: number): RoomState[] {
    const prefix = `test${++prefixes}:`;
    return Array.from({ length: count }, () =>
      createRoomState({
        store: redisRoomStore(client(), { prefix }),
        ...(maxEvents !== undefined && { maxEvents }),
      }),
    );
  }

  it("gives the in-order result for the issue's interleaving, and shares duplicates between instances", async () => {
    const events = meeting();
    const [a, b] = instances(2) as [RoomState, RoomState];
    const results = [];
    for (const index of [0, 1, 2, 3, 4, 7, 5, 6, 8])
      results.push(await a.apply(events[index] as CallbackEvent));
    expect(results.every((result) => result === "applied")).toBe(true);
    const expected = await inOrder(events);
    expect(expected?.seats[1]).toMatchObject({ member: null, locked: true });
    expect(await a.get(ROOM)).toEqual(expected);
    expect(await b.get(ROOM)).toEqual(expected);
    // b never applied anything, yet knows every event: the replay detection is in Redis.
    for (const event of events) expect(await b.apply(event)).toBe("duplicate");
    expect(await b.get(ROOM)).toEqual(expected);
  });

  it("applies each event exactly once when three instances apply the same events concurrently, in different orders", async () => {
    const events = meeting();
    const orders = [
      events,
      [...events].reverse(),
      events.map((_, i) => events[(i * 4) % events.length] as CallbackEvent),
    ];
    const rooms = instances(3);
    const results = await Promise.all(
      rooms.map(async (instance, i) => {
        const own = [];
        for (const event of orders[i] ?? []) own.push(await instance.apply(event));
        return own;
      }),
    );
    const applied = results.flat().filter((result) => result === "applied").length;
    expect(applied).toBe(new Set(events.map((event) => JSON.stringify(event))).size);
    const expected = await inOrder(events);
    for (const instance of rooms) expect(await instance.get(ROOM)).toEqual(expected);
  });

  it("keeps a destroyed room destroyed against older events, across instances", async () => {
    const [a, b] = instances(2) as [RoomState, RoomState];
    await a.apply(create(100, "Monday"));
    expect(await b.apply(destroy(200))).toBe("applied");
    expect(await a.apply(enter(150, "alice"))).toBe("stale");
    expect(await b.apply(destroy(200))).toBe("duplicate");
    expect(await a.get(ROOM)).toBeUndefined();
    expect(await b.list()).toEqual([]);
    await a.apply(enter(300, "carol"));
    expect(await b.list()).toMatchObject([{ roomId: ROOM, members: ["carol"], updatedAt: 300 }]);
  });

  it("folds past maxEvents in Redis with the same result, concurrently, and ignores what arrives too late", async () => {
    const events = Array.from({ length: 60 }, (_, i) =>
      enter(1000 + i * 10, `m${String(i).padStart(2, "0")}`),
    );
    const rooms = instances(3, 8);
    await Promise.all(
      rooms.map(async (instance, i) => {
        // Each in time order but for instance 1, which gets every pair swapped: well within the bound.
        const order = i === 1 ? events.map((_, at) => events[at ^ 1] as CallbackEvent) : events;
        for (const event of order) await instance.apply(event);
      }),
    );
    const expected = await inOrder(events);
    for (const instance of rooms) expect(await instance.get(ROOM)).toEqual(expected);
    const redis = client();
    expect(await redis.zcard(`test${prefixes}:room:${ROOM}:log`)).toBeLessThanOrEqual(9);
    expect(await redis.hexists(`test${prefixes}:room:${ROOM}:meta`, "snap")).toBe(1);
    expect(await rooms[0]?.apply(leave(1005, "m00"))).toBe("stale");
    expect(await rooms[0]?.get(ROOM)).toEqual(expected);
  });

  it("stamps events without EventTime at the room's latest time, in arrival order, shared between instances", async () => {
    const [a, b] = instances(2) as [RoomState, RoomState];
    await a.apply(enter(100, "alice"));
    expect(await b.apply(leave(undefined, "alice"))).toBe("applied");
    expect(await a.apply(enter(undefined, "alice"))).toBe("applied");
    expect(await b.apply(leave(undefined, "alice"))).toBe("applied");
    expect(await a.get(ROOM)).toMatchObject({ members: [], updatedAt: 100 });
  });

  it("lets a destroyed room's keys expire after destroyedRoomTtlMs, and drops it from the list of rooms then", async () => {
    const redis = client();
    const prefix = `test${++prefixes}:`;
    const rooms = createRoomState({ store: redisRoomStore(redis, { prefix, destroyedRoomTtlMs: 60_000 }) });
    const log = `${prefix}room:${ROOM}:log`;
    const meta = `${prefix}room:${ROOM}:meta`;
    await rooms.apply(create(100, "x"));
    expect(await redis.pttl(log)).toBe(-1);
    await rooms.apply(destroy(200));
    for (const key of [log, meta]) {
      const ttl = await redis.pttl(key);
      expect(ttl > 0 && ttl <= 60_000).toBe(true);
    }
    // Expiry, without waiting for it.
    await redis.del(log, meta);
    expect(await redis.sismember(`${prefix}rooms`, ROOM)).toBe(1);
    expect(await rooms.list()).toEqual([]);
    expect(await redis.sismember(`${prefix}rooms`, ROOM)).toBe(0);
    // A newer event keeps a destroyed room's keys for good again.
    await rooms.apply(destroy(300));
    await rooms.apply(enter(400, "bob"));
    expect([await redis.pttl(log), await redis.pttl(meta)]).toEqual([-1, -1]);
  });

  it("keeps exact strings through Redis: non-ASCII, lone surrogates, 18-digit IDs", async () => {
    const [rooms] = instances(1) as [RoomState];
    const name = "會議 🎉 \ud800 \u0000";
    await rooms.apply(create(100, name));
    await rooms.apply(enter(110, "144115233775727695"));
    expect(await rooms.get(ROOM)).toMatchObject({
      settings: { RoomName: name },
      members: ["144115233775727695"],
    });
  });

  it("rejects from the handler (so the callback is acked FAIL) when Redis cannot be reached", async () => {
    const closed = new Redis(server.url);
    await closed.quit();
    const rooms = createRoomState({ store: redisRoomStore(closed) });
    await expect(rooms.handlers["Room.CallbackAfterMemberEnter"](enter(100, "alice"))).rejects.toThrow(
      "Connection is closed",
    );
  });

  it("runs the README's sample: rooms.handlers in the router, rooms.list() and rooms.get() served", async () => {
    const listen = jest.spyOn(express.application, "listen").mockImplementation((() => ({})) as never);
    process.env.REDIS_URL = server.url;
    function sample() {
      // README: "Room state" (begin)
      const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      const rooms = createRoomState({ store: redisRoomStore(redis, { prefix: "trtc:" }) }); // or memoryRoomStore()

      const app = express();
      app.use("/trtc", createCallbackRouter({ sdkAppId: 1400000001, handlers: rooms.handlers }));
      app.get("/rooms", async (_req, res) => {
        res.json({ rooms: await rooms.list() });
      });
      app.get("/rooms/:roomId", async (req, res) => {
        const room = await rooms.get(req.params.roomId);
        if (room) res.json(room);
        else res.status(404).json({ error: `no room ${req.params.roomId}` });
      });
      app.listen(3000);
      // README: "Room state" (end)
      return { app, redis };
    }
    const { app, redis } = sample();
    clients.push(redis);
    try {
      expect(listen).toHaveBeenCalledWith(3000);
      const events = meeting();
      for (const event of [...events].reverse()) {
        await request(app)
          .post("/trtc")
          .query(callbackQuery({ sdkAppId: 1400000001, command: event.CallbackCommand }))
          .send(JSON.stringify(event))
          .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
      }
      const expected = await inOrder(events);
      await request(app)
        .get("/rooms")
        .expect(200, { rooms: [expected] });
      await request(app)
        .get(`/rooms/${ROOM}`)
        .expect(200, expected as object);
      await request(app).get("/rooms/nope").expect(404, { error: "no room nope" });
    } finally {
      listen.mockRestore();
      delete process.env.REDIS_URL;
    }
  });

  it('tells other instances through Redis pub/sub which room changed (rooms.on("change")), and stops', async () => {
    const [a, b] = instances(2) as [RoomState, RoomState];
    const heard: string[] = [];
    let arrived: (() => void) | undefined;
    const stop = await b.on("change", (roomId) => {
      heard.push(roomId);
      if (heard.length === 2) arrived?.();
    });
    const both = new Promise<void>((resolve) => (arrived = resolve));
    await a.apply(enter(100, "alice"));
    await a.apply(enter(100, "alice"));
    await a.apply({ ...enter(110, "bob"), RoomId: "room-2" });
    await both;
    // Messages on one channel arrive in order: the duplicate published nothing between the two.
    expect(heard).toEqual([ROOM, "room-2"]);
    expect(await b.get("room-2")).toMatchObject({ members: ["bob"] });
    await stop();
  });

  it("keeps listening for changes across a restart of Redis, and the state with AOF", async () => {
    let own = await startRedis({ aof: true });
    const writer = new Redis(own.url);
    const reader = new Redis(own.url);
    try {
      const a = createRoomState({ store: redisRoomStore(writer) });
      const b = createRoomState({ store: redisRoomStore(reader) });
      const heard: string[] = [];
      let arrived: (() => void) | undefined;
      const next = () => new Promise<void>((resolve) => (arrived = resolve));
      const stop = await b.on("change", (roomId) => {
        heard.push(roomId);
        arrived?.();
      });
      const first = next();
      await a.apply(enter(100, "alice"));
      await first;
      own = await own.restart();
      // The subscriber reconnects and subscribes again on its own: apply until it hears one.
      const again = next();
      let heardAgain = false;
      void again.then(() => (heardAgain = true));
      for (let time = 200; !heardAgain; time++) {
        await a.apply(enter(time, `member-${time}`));
        await Promise.race([again, new Promise((resolve) => setTimeout(resolve, 20))]);
      }
      expect(heard.length).toBeGreaterThanOrEqual(2);
      expect(await b.get(ROOM)).toMatchObject({ members: expect.arrayContaining(["alice", "member-200"]) });
      await stop();
    } finally {
      writer.disconnect();
      reader.disconnect();
      await own.close();
    }
  });

  it("listens for changes with a client that has no offline queue", async () => {
    const failFast = new Redis(server.url, { enableOfflineQueue: false, lazyConnect: true });
    clients.push(failFast);
    await failFast.connect();
    const [writer] = instances(1) as [RoomState];
    const rooms = createRoomState({ store: redisRoomStore(failFast, { prefix: `test${prefixes}:` }) });
    let arrived: ((roomId: string) => void) | undefined;
    const heard = new Promise<string>((resolve) => (arrived = resolve));
    const stop = await rooms.on("change", (roomId) => arrived?.(roomId));
    await writer.apply(enter(100, "alice"));
    expect(await heard).toBe(ROOM);
    await stop();
  });

  it("works with a client's keyPrefix: keys and change notices both kept apart", async () => {
    const prefixed = new Redis(server.url, { keyPrefix: "app1:" });
    clients.push(prefixed);
    const other = createRoomState({ store: redisRoomStore(client()) });
    const rooms = createRoomState({ store: redisRoomStore(prefixed) });
    const heard: string[] = [];
    const otherHeard: string[] = [];
    let arrived: (() => void) | undefined;
    let otherArrived: (() => void) | undefined;
    const done = new Promise<void>((resolve) => (arrived = resolve));
    const stops = [
      await rooms.on("change", (roomId) => {
        heard.push(roomId);
        arrived?.();
      }),
      await other.on("change", (roomId) => {
        otherHeard.push(roomId);
        otherArrived?.();
      }),
    ];
    await rooms.apply(enter(100, "alice"));
    await done;
    expect(heard).toEqual([ROOM]);
    expect(await client().exists(`app1:trtc:room-state:room:${ROOM}:log`)).toBe(1);
    expect(await other.list()).toEqual([]);
    // Each subscriber gets its channel's notices in order: had the first apply's notice reached
    // the other app, it would have come before "other-room".
    const own = new Promise<void>((resolve) => (arrived = resolve));
    const others = new Promise<void>((resolve) => (otherArrived = resolve));
    await other.apply({ ...enter(100, "bob"), RoomId: "other-room" });
    await rooms.apply(enter(200, "carol"));
    await Promise.all([own, others]);
    expect(otherHeard).toEqual(["other-room"]);
    expect(heard).toEqual([ROOM, ROOM]);
    for (const stop of stops) await stop();
  });

  describe.each([
    ["memoryRoomStore", () => memoryRoomStore()],
    ["redisRoomStore", () => redisRoomStore(client(), { prefix: `conformance${++prefixes}:` })],
  ] as [string, () => RoomStore][])("the RoomStore contract: %s", (_name, makeStore) => {
    // As createRoomState makes them: the tail holds the event, EventTime included.
    const tail = (time: number | undefined, name: string) => `2${canonicalJson(enter(time, name))}`;
    const key = (sequence: number, time: number | undefined, name: string) =>
      entryKey(sequence, tail(time, name));
    const entry = (time: number | undefined, name: string, resets = false) => ({
      time,
      tail: tail(time, name),
      resets,
    });

    it("orders by time then key, finds duplicates, stamps untimed entries with the latest time and a sequence", async () => {
      const store = makeStore();
      expect(await store.append(ROOM, entry(20, "b"))).toEqual({ result: "applied", size: 1 });
      expect(await store.append(ROOM, entry(10, "a"))).toEqual({ result: "applied", size: 2 });
      expect(await store.append(ROOM, entry(20, "a"))).toEqual({ result: "applied", size: 3 });
      expect(await store.append(ROOM, entry(20, "a"))).toEqual({ result: "duplicate", size: 3 });
      expect(await store.append(ROOM, entry(undefined, "a"))).toEqual({ result: "applied", size: 4 });
      expect(await store.append(ROOM, entry(undefined, "a"))).toEqual({ result: "applied", size: 5 });
      expect(await store.load(ROOM)).toEqual({
        floor: undefined,
        snapshot: undefined,
        entries: [
          { time: 10, key: key(0, 10, "a") },
          { time: 20, key: key(0, 20, "a") },
          { time: 20, key: key(0, 20, "b") },
          { time: 20, key: key(1, undefined, "a") },
          { time: 20, key: key(2, undefined, "a") },
        ],
      });
      expect(await store.roomIds()).toEqual([ROOM]);
      expect(await store.load("nothing")).toBeUndefined();
    });

    it("compacts only an unchanged prefix, then refuses what is older than the floor", async () => {
      const store = makeStore();
      for (const [time, name] of [
        [10, "a"],
        [20, "b"],
        [30, "c"],
      ] as const)
        await store.append(ROOM, entry(time, name));
      const through = { time: 20, key: key(0, 20, "b") };
      // An entry inserted before `through` since the load: compacting would lose it.
      await store.append(ROOM, entry(15, "x"));
      expect(await store.compact(ROOM, { expectedFloor: undefined, through, count: 2, snapshot: "s" })).toBe(
        false,
      );
      expect(await store.compact(ROOM, { expectedFloor: "other", through, count: 3, snapshot: "s" })).toBe(
        false,
      );
      expect(await store.compact(ROOM, { expectedFloor: undefined, through, count: 3, snapshot: "s" })).toBe(
        true,
      );
      expect(await store.load(ROOM)).toEqual({
        floor: through,
        snapshot: "s",
        entries: [{ time: 30, key: key(0, 30, "c") }],
      });
      expect(await store.append(ROOM, entry(12, "y"))).toEqual({ result: "stale", size: 1 });
      expect(await store.append(ROOM, entry(20, "b"))).toEqual({ result: "duplicate", size: 1 });
      expect(await store.append(ROOM, entry(25, "z"))).toEqual({ result: "applied", size: 2 });
    });

    it("makes a resetting entry the floor, dropping what is before it and the snapshot", async () => {
      const store = makeStore();
      await store.append(ROOM, entry(10, "a"));
      await store.compact(ROOM, {
        expectedFloor: undefined,
        through: { time: 10, key: key(0, 10, "a") },
        count: 1,
        snapshot: "s",
      });
      await store.append(ROOM, entry(30, "c"));
      expect(await store.append(ROOM, entry(20, "d", true))).toEqual({ result: "applied", size: 1 });
      expect(await store.load(ROOM)).toEqual({
        floor: { time: 20, key: key(0, 20, "d") },
        snapshot: undefined,
        entries: [{ time: 30, key: key(0, 30, "c") }],
      });
      expect(await store.append(ROOM, entry(20, "d", true))).toEqual({ result: "duplicate", size: 1 });
      expect(await store.append(ROOM, entry(19, "e", true))).toEqual({ result: "stale", size: 1 });
    });
  });

  it("refuses what is not an ioredis client, saying what to pass", () => {
    expect(() => redisRoomStore({} as Redis)).toThrow(
      "redisRoomStore needs an ioredis client: redisRoomStore(new Redis(url)) (install ioredis, an optional peer dependency)",
    );
    expect(() => redisRoomStore(client(), { keyPrefix: "x:" } as never)).toThrow(
      'redisRoomStore has no option "keyPrefix": its options are "prefix", "destroyedRoomTtlMs"',
    );
    expect(() => redisRoomStore(client(), { destroyedRoomTtlMs: 0 })).toThrow(
      "destroyedRoomTtlMs must be a whole number of milliseconds ≥ 1, not 0",
    );
  });
});
