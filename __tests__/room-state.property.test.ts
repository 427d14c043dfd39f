import fc from "fast-check";
import Redis from "ioredis";
import type { CallbackEvent } from "trtc-room-callbacks";
import {
  canonicalJson,
  COMMAND_RANK,
  createRoomState,
  memoryRoomStore,
  redisRoomStore,
  type RoomState,
  type RoomView,
} from "trtc-room-callbacks/room-state";
import { planMeeting } from "../lib/cli/meeting";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

/**
 * Simulated meetings (from the CLI's meeting generator), delivered shuffled and duplicated,
 * must end in the state of one memory store applying each event once in the documented order
 * (EventTime, then command rank, then canonical JSON). Seeded, so a failure reproduces:
 * FC_SEED=<seed printed by fast-check> FC_RUNS=<n> npx jest room-state.property
 */
const SEED = Number(process.env["FC_SEED"] ?? 20261207);
const NUM_RUNS = Number(process.env["FC_RUNS"] ?? 100);
const T = 1_700_000_000_000;
// Hundreds of runs, each many round trips to Redis: generous, as CI machines are shared.
jest.setTimeout(120_000);

interface Scenario {
  /** Every event of the meetings, in plan order. */
  events: CallbackEvent[];
  /** Indexes into `events`: each event once or more, in arrival order. */
  deliveries: number[];
  /** The room IDs the meetings use. */
  roomIds: string[];
}

const meetingArb = fc.record({
  roomId: fc.constantFrom("r1", "r2"),
  members: fc.integer({ min: 2, max: 5 }),
  seats: fc.integer({ min: 1, max: 4 }),
  keepRoom: fc.boolean(),
  start: fc.integer({ min: 0, max: 200 }),
  // 0 makes ties of EventTime, to exercise the tie-break.
  steps: fc.array(fc.constantFrom(0, 1, 5, 10), { minLength: 1, maxLength: 8 }),
});

type MeetingValue = typeof meetingArb extends fc.Arbitrary<infer Value> ? Value : never;

function eventsOf(meetings: MeetingValue[]): CallbackEvent[] {
  return meetings.flatMap((plan) => {
    let now = T + plan.start;
    let tick = 0;
    const clock = () => (now += plan.steps[tick++ % plan.steps.length] ?? 0);
    return planMeeting(plan, clock).map((step) => normalised(step().event));
  });
}

/** As the router hands events to handlers: an empty seat's `Member_Account: ""` is absent. */
function normalised(event: CallbackEvent): CallbackEvent {
  if (event.CallbackCommand !== "Mic.CallbackAfterSeatInfoChanged") return event;
  return {
    ...event,
    SeatList: (event.SeatList ?? []).map(({ Member_Account, ...seat }) =>
      Member_Account ? { ...seat, Member_Account } : seat,
    ),
  };
}

/** Each event 1 to 3 times, in an arrival order chosen by `shuffle`. */
function scenarioArb(shuffle: (count: number) => fc.Arbitrary<number[]>): fc.Arbitrary<Scenario> {
  return fc.array(meetingArb, { minLength: 1, maxLength: 3 }).chain((meetings) => {
    const events = eventsOf(meetings);
    return fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length })
      .chain((copies) => {
        const copyOf = copies.flatMap((count, index) => Array.from({ length: count }, () => index));
        return shuffle(copyOf.length).map((order) => ({
          events,
          deliveries: order.map((at) => copyOf[at] as number),
          roomIds: [...new Set(meetings.map((plan) => plan.roomId))],
        }));
      });
  });
}

/** Any permutation. */
const anyOrder = (count: number) =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: count, maxLength: count }).map((keys) =>
    keys
      .map((key, index) => [key, index] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, index]) => index),
  );

const SMALL_MAX_EVENTS = 6;

/**
 * A permutation of `count` events given in order, where each arrives at its position plus a
 * delay below SMALL_MAX_EVENTS / 2: a late event can be overtaken by at most 2 newer ones.
 */
const nearOrder = (count: number) =>
  fc
    .array(fc.integer({ min: 0, max: SMALL_MAX_EVENTS / 2 - 1 }), { minLength: count, maxLength: count })
    .map((delays) =>
      delays
        .map((delay, index) => [index + delay, index] as const)
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(([, index]) => index),
    );

/** The documented total order. */
function sorted(events: CallbackEvent[]): CallbackEvent[] {
  const key = (event: CallbackEvent) =>
    [event.EventTime ?? 0, COMMAND_RANK[event.CallbackCommand], canonicalJson(event)] as const;
  return [...events].sort((a, b) => {
    const [ta, ra, ca] = key(a);
    const [tb, rb, cb] = key(b);
    return ta - tb || ra - rb || (ca < cb ? -1 : ca > cb ? 1 : 0);
  });
}

/** One memory store applying each event once, in order. */
async function reference(events: CallbackEvent[]): Promise<RoomState> {
  const rooms = createRoomState({ store: memoryRoomStore() });
  for (const event of sorted(events)) await rooms.apply(event);
  return rooms;
}

async function states(rooms: RoomState, roomIds: string[]): Promise<(RoomView | undefined)[]> {
  return Promise.all(roomIds.map((id) => rooms.get(id)));
}

describe("room state, memory store: shuffled and duplicated delivery", () => {
  it("converges to the in-order state", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(anyOrder), async ({ events, deliveries, roomIds }) => {
        const expected = await reference(events);
        const rooms = createRoomState({ store: memoryRoomStore() });
        for (const index of deliveries) await rooms.apply(events[index] as CallbackEvent);
        expect(await rooms.list()).toEqual(await expected.list());
        expect(await states(rooms, roomIds)).toEqual(await states(expected, roomIds));
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });

  it("converges with a small maxEvents when no event arrives after more than maxEvents / 2 newer ones", async () => {
    const maxEvents = SMALL_MAX_EVENTS;
    await fc.assert(
      fc.asyncProperty(
        fc.array(meetingArb, { minLength: 1, maxLength: 3 }).chain((meetings) => {
          const events = sorted(eventsOf(meetings));
          return nearOrder(events.length).map((arrival) => ({
            events,
            arrival,
            roomIds: [...new Set(meetings.map((plan) => plan.roomId))],
          }));
        }),
        async ({ events, arrival, roomIds }) => {
          const expected = await reference(events);
          const store = memoryRoomStore();
          const rooms = createRoomState({ store, maxEvents });
          for (const index of arrival) await rooms.apply(events[index] as CallbackEvent);
          expect(await states(rooms, roomIds)).toEqual(await states(expected, roomIds));
          for (const id of roomIds)
            expect((await store.load(id))?.entries.length ?? 0).toBeLessThanOrEqual(maxEvents);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});

describeWithServer("redis-server", "room state, three instances on one redis-server", () => {
  let server: RedisServer;
  const clients: Redis[] = [];
  let run = 0;

  beforeAll(async () => {
    server = await startRedis();
    for (let i = 0; i < 3; i++) clients.push(new Redis(server.url, { maxRetriesPerRequest: 1 }));
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    await server?.close();
  });

  it("converges to the in-order state under shuffled, duplicated, concurrent delivery", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb(anyOrder),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 64 }),
        async ({ events, deliveries, roomIds }, instanceOf) => {
          const prefix = `prop${++run}:`;
          const instances = clients.map((client) =>
            createRoomState({ store: redisRoomStore(client, { prefix }) }),
          );
          // Each instance applies its share in arrival order; the three run at once.
          const queues: CallbackEvent[][] = [[], [], []];
          deliveries.forEach((index, at) =>
            queues[instanceOf[at % instanceOf.length] ?? 0]?.push(events[index] as CallbackEvent),
          );
          await Promise.all(
            instances.map(async (instance, i) => {
              for (const event of queues[i] ?? []) await instance.apply(event);
            }),
          );
          const expected = await reference(events);
          const want = await expected.list();
          for (const instance of instances) expect(await instance.list()).toEqual(want);
          expect(await states(instances[0] as RoomState, roomIds)).toEqual(await states(expected, roomIds));
        },
      ),
      { seed: SEED, numRuns: Math.max(1, Math.round(NUM_RUNS / 2)) },
    );
  });

  it("converges with a small maxEvents when each instance applies every event, near order, concurrently", async () => {
    // The first application of an event is by the instance that reaches it first, which has
    // applied only the newer events its own order puts before it: the bound holds.
    await fc.assert(
      fc.asyncProperty(
        fc.array(meetingArb, { minLength: 1, maxLength: 3 }).chain((meetings) => {
          const events = sorted(eventsOf(meetings));
          return fc
            .tuple(nearOrder(events.length), nearOrder(events.length), nearOrder(events.length))
            .map((orders) => ({
              events,
              orders,
              roomIds: [...new Set(meetings.map((plan) => plan.roomId))],
            }));
        }),
        async ({ events, orders, roomIds }) => {
          const prefix = `near${++run}:`;
          const instances = clients.map((client) =>
            createRoomState({ store: redisRoomStore(client, { prefix }), maxEvents: SMALL_MAX_EVENTS }),
          );
          await Promise.all(
            instances.map(async (instance, i) => {
              for (const index of orders[i] ?? []) await instance.apply(events[index] as CallbackEvent);
            }),
          );
          const expected = await reference(events);
          for (const instance of instances)
            expect(await states(instance, roomIds)).toEqual(await states(expected, roomIds));
        },
      ),
      { seed: SEED, numRuns: Math.max(1, Math.round(NUM_RUNS / 2)) },
    );
  });
});
