import { randomUUID } from "node:crypto";
import { Queue, type Worker } from "bullmq";
import Redis from "ioredis";
import {
  ConfigurationError,
  HandlerError,
  type CallbackCommand,
  type CallbackEvent,
  type CallbackHandlers,
} from "trtc-room-callbacks";
import {
  callbackJobId,
  createCallbackWorker,
  enqueueCallbacks,
  enqueueCallbacksByRoom,
  roomPartition,
  roomQueueNames,
  type CallbackWorkerContext,
  type CallbackWorkerErrorInfo,
  type CallbackWorkerHandlers,
} from "trtc-room-callbacks/bullmq";
import {
  eventually,
  memberEnter,
  producerConnection,
  routerApp,
  sendCallback,
  SDK_APP_ID,
} from "./helpers/bullmq";
import { samples } from "./helpers/fixtures";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

jest.setTimeout(30_000);

const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

describeWithServer("redis-server", "durable delivery on BullMQ", () => {
  let redis: RedisServer;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()?.();
  });
  afterAll(async () => {
    await redis.close();
  });

  function queue(name = `q${randomUUID()}`): Queue {
    const created = new Queue(name, { connection: producerConnection(redis) });
    closers.push(() => created.close());
    return created;
  }
  function worker(
    name: string,
    options: Omit<Parameters<typeof createCallbackWorker>[1], "connection">,
  ): Worker {
    const created = createCallbackWorker(name, {
      connection: { host: "127.0.0.1", port: redis.port },
      ...options,
    });
    closers.push(() => created.close());
    return created;
  }

  describe("enqueueCallbacks refuses a producer connection on which add() can hang", () => {
    it.each([
      ["the offline queue on (BullMQ's default)", { commandTimeout: 500 }, /enableOfflineQueue: false/],
      ["no commandTimeout", { enableOfflineQueue: false }, /commandTimeout/],
      ["a commandTimeout of 0", { enableOfflineQueue: false, commandTimeout: 0 }, /commandTimeout/],
    ])("%s", async (_name, connection, message) => {
      const unsafe = new Queue(`q${randomUUID()}`, { connection: { port: redis.port, ...connection } });
      closers.push(() => unsafe.close());
      expect(() => enqueueCallbacks(unsafe)).toThrow(ConfigurationError);
      expect(() => enqueueCallbacks(unsafe)).toThrow(message);
    });

    it("reads the options of an ioredis instance passed as the connection", async () => {
      const client = new Redis({
        port: redis.port,
        enableOfflineQueue: false,
        commandTimeout: 500,
        maxRetriesPerRequest: null,
      });
      closers.push(async () => client.disconnect());
      const good = new Queue(`q${randomUUID()}`, { connection: client });
      closers.push(() => good.close());
      expect(Object.keys(enqueueCallbacks(good))).toHaveLength(6);
      const offline = new Redis({ port: redis.port, commandTimeout: 500, maxRetriesPerRequest: null });
      closers.push(async () => offline.disconnect());
      const unsafe = new Queue(`q${randomUUID()}`, { connection: offline });
      closers.push(() => unsafe.close());
      expect(() => enqueueCallbacks(unsafe)).toThrow(/enableOfflineQueue/);
    });

    it("narrows to the commands asked for and refuses a name that is not one", () => {
      const q = queue();
      expect(Object.keys(enqueueCallbacks(q, { commands: ["Room.CallbackAfterMemberEnter"] }))).toEqual([
        "Room.CallbackAfterMemberEnter",
      ]);
      expect(() =>
        enqueueCallbacks(q, { commands: ["Room.CallbackAfterMemberEntre" as CallbackCommand] }),
      ).toThrow(ConfigurationError);
      expect(() => enqueueCallbacks(q, { timeoutMs: 0 })).toThrow(/timeoutMs must be an integer/);
      expect(() => enqueueCallbacks(q, { attempts: 5 } as never)).toThrow(
        /attempts is a BullMQ option: retries are the worker's/,
      );
      expect(() => enqueueCallbacks(q, { keepCompleted: 60 } as never)).toThrow(
        /unknown option "keepCompleted"/,
      );
      expect(() => enqueueCallbacks(q, null as never)).toThrow(/options must be an object/);
    });
  });

  it("queues the validated event and the worker hands it on as the router would, 18-digit IDs exact", async () => {
    const q = queue();
    const seen: {
      event: CallbackEvent<"Mic.CallbackAfterSeatInfoChanged">;
      context: CallbackWorkerContext;
    }[] = [];
    const app = routerApp(enqueueCallbacks(q));
    const received = await sendCallback(
      app,
      "Mic.CallbackAfterSeatInfoChanged",
      samples["Mic.CallbackAfterSeatInfoChanged"],
    );
    expect(received).toEqual({ status: 200, ack: OK });
    expect(await q.getJobCounts("waiting")).toEqual({ waiting: 1 });

    worker(q.name, {
      handlers: {
        "Mic.CallbackAfterSeatInfoChanged": (event, context) => {
          seen.push({ event, context });
        },
      },
    });
    const [first] = await eventually(() => seen.length === 1 && seen);
    const { event, context } = first as (typeof seen)[number];
    expect(event.SeatList?.map((seat) => seat.Member_Account)).toContain("144115233775727695");
    expect(event.CallbackCommand).toBe("Mic.CallbackAfterSeatInfoChanged");
    expect(context).toMatchObject({
      command: "Mic.CallbackAfterSeatInfoChanged",
      receivedCommand: "Mic.CallbackAfterSeatInfoChanged",
      sdkAppId: String(SDK_APP_ID),
      clientIp: "127.0.0.1",
      optPlatform: "Web",
      attempt: 1,
      attempts: 5,
      jobId: callbackJobId(String(SDK_APP_ID), "Mic.CallbackAfterSeatInfoChanged", event),
    });
    expect(context.signal.aborted).toBe(false);
    expect(() => context.request).toThrow(/runs in a worker, where there is no HTTP request/);
  });

  it("the same callback delivered twice is one job and one effect, also after the first was processed", async () => {
    const q = queue();
    const app = routerApp(enqueueCallbacks(q));
    const body = memberEnter("dup-room", ["alice"], 1_700_000_000_000);
    expect((await sendCallback(app, "Room.CallbackAfterMemberEnter", body)).ack).toEqual(OK);
    expect((await sendCallback(app, "Room.CallbackAfterMemberEnter", body)).ack).toEqual(OK);
    expect(await q.getJobCounts("waiting")).toEqual({ waiting: 1 });

    let effects = 0;
    worker(q.name, { handlers: { "Room.CallbackAfterMemberEnter": () => void effects++ } });
    await eventually(async () => (await q.getJobCounts("completed")).completed === 1);
    expect((await sendCallback(app, "Room.CallbackAfterMemberEnter", body)).ack).toEqual(OK);
    // A different event is processed: the worker is still running, so the duplicate would have been too.
    expect(
      (await sendCallback(app, "Room.CallbackAfterMemberEnter", memberEnter("dup-room", ["bob"], 1))).ack,
    ).toEqual(OK);
    await eventually(async () => (await q.getJobCounts("completed")).completed === 2);
    expect(effects).toBe(2);
    const completed = await q.getCompleted();
    expect(completed.map((job) => job.opts.removeOnComplete)).toEqual([{ age: 86_400 }, { age: 86_400 }]);
  });

  it("a handler that fails twice then succeeds has its effect once; onError hears of both failures", async () => {
    const q = queue();
    await sendCallback(
      routerApp(enqueueCallbacks(q)),
      "Room.CallbackAfterMemberEnter",
      memberEnter("r", ["a"], 5),
    );
    const reports: [unknown, CallbackWorkerErrorInfo][] = [];
    let calls = 0;
    let effects = 0;
    worker(q.name, {
      attempts: 3,
      backoff: () => 10,
      onError: (error, info) => void reports.push([error, info]),
      handlers: {
        "Room.CallbackAfterMemberEnter": (_event, context) => {
          calls++;
          if (context.attempt < 3) throw new Error(`database unavailable (${context.attempt})`);
          effects++;
        },
      },
    });
    await eventually(async () => (await q.getJobCounts("completed")).completed === 1);
    expect({ calls, effects }).toEqual({ calls: 3, effects: 1 });
    expect(reports.map(([error, info]) => [error instanceof HandlerError, info.attempt, info.final])).toEqual(
      [
        [true, 1, false],
        [true, 2, false],
      ],
    );
    expect((reports[0]?.[0] as Error).cause).toEqual(new Error("database unavailable (1)"));
    expect(JSON.parse(reports[0]?.[1].rawBody ?? "")).toMatchObject({
      RoomId: "r",
      MemberList_Account: ["a"],
    });
  });

  it("a handler that always fails: the job ends in the failed set after `attempts`, onError has it as final", async () => {
    const q = queue();
    await sendCallback(
      routerApp(enqueueCallbacks(q)),
      "Room.CallbackAfterDestroyRoom",
      samples["Room.CallbackAfterDestroyRoom"],
    );
    const finals: CallbackWorkerErrorInfo[] = [];
    let calls = 0;
    worker(q.name, {
      attempts: 2,
      backoff: () => 10,
      onError: (_error, info) => void (info.final && finals.push(info)),
      handlers: {
        "Room.CallbackAfterDestroyRoom": () => {
          calls++;
          throw new Error("always");
        },
      },
    });
    await eventually(async () => (await q.getJobCounts("failed")).failed === 1);
    await eventually(() => finals.length === 1);
    const [failed] = await q.getFailed();
    expect({ calls, attemptsMade: failed?.attemptsMade, reason: failed?.failedReason }).toEqual({
      calls: 2,
      attemptsMade: 2,
      reason: "always",
    });
    expect(finals[0]).toMatchObject({ attempt: 2, attempts: 2, final: true, jobId: failed?.id });
    expect(failed?.opts.removeOnFail).toBe(false);
  });

  it("close() aborts context.signal and waits for the running handler", async () => {
    const q = queue();
    await sendCallback(
      routerApp(enqueueCallbacks(q)),
      "Room.CallbackAfterMemberEnter",
      memberEnter("c", ["a"], 1),
    );
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const finished: string[] = [];
    const w = createCallbackWorker(q.name, {
      connection: { host: "127.0.0.1", port: redis.port },
      handlers: {
        "Room.CallbackAfterMemberEnter": async (_event, context) => {
          started();
          await new Promise((resolve) => context.signal.addEventListener("abort", resolve));
          await new Promise((resolve) => setTimeout(resolve, 50));
          finished.push(String(context.signal.reason));
        },
      },
    });
    await running;
    await w.close();
    expect(finished).toEqual(["Error: the worker is closing"]);
    expect(await q.getJobCounts("completed")).toEqual({ completed: 1 });
  });

  it("a handler that stops on close() (context.signal) uses no attempt: the job runs again on another worker", async () => {
    const q = queue();
    await sendCallback(
      routerApp(enqueueCallbacks(q)),
      "Room.CallbackAfterMemberEnter",
      memberEnter("deploy", ["a"], 1),
    );
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const reports: CallbackWorkerErrorInfo[] = [];
    const closing = createCallbackWorker(q.name, {
      connection: { host: "127.0.0.1", port: redis.port },
      // One attempt: a failure here would be final, so the job would end in the failed set.
      attempts: 1,
      onError: (_error, info) => void reports.push(info),
      handlers: {
        "Room.CallbackAfterMemberEnter": (_event, context) => {
          started();
          // What the README asks of a handler: pass the signal on, so the work stops when it aborts.
          return new Promise((_resolve, reject) =>
            context.signal.addEventListener("abort", () => reject(context.signal.reason)),
          );
        },
      },
    });
    await running;
    await closing.close();
    expect(reports).toEqual([]);
    expect(await q.getJobCounts("failed", "completed")).toEqual({ failed: 0, completed: 0 });

    const done: number[] = [];
    worker(q.name, {
      attempts: 1,
      handlers: { "Room.CallbackAfterMemberEnter": (_event, context) => void done.push(context.attempt) },
    });
    await eventually(async () => (await q.getJobCounts("completed")).completed === 1);
    expect(done).toEqual([1]);
  });

  it("keeps one room's events in order over partitioned queues, one worker each with concurrency 1", async () => {
    const names = roomQueueNames(`p${randomUUID().slice(0, 8)}`, 3);
    const queues = names.map((name) => queue(name));
    const app = routerApp(enqueueCallbacksByRoom(queues));
    const rooms = ["room-a", "room-b", "room-c", "room-d", "room-e"];
    // Events in a known order per room, interleaved across rooms.
    for (let i = 0; i < 40; i++) {
      const room = rooms[i % rooms.length] as string;
      expect(
        (await sendCallback(app, "Room.CallbackAfterMemberEnter", memberEnter(room, [`u${i}`], 1000 + i)))
          .ack,
      ).toEqual(OK);
    }
    const order = new Map<string, number[]>();
    const handlers: CallbackWorkerHandlers = {
      "Room.CallbackAfterMemberEnter": async (event) => {
        // A random pause: with concurrency above 1 this would reorder a room's events.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        order.set(event.RoomId, [...(order.get(event.RoomId) ?? []), event.EventTime ?? -1]);
      },
    };
    for (const name of names) worker(name, { handlers, concurrency: 1 });
    await eventually(() => [...order.values()].flat().length === 40);
    for (const times of order.values()) expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const room of rooms) {
      const counts = await queues[roomPartition(room, 3)]?.getJobCounts("completed");
      expect(counts?.completed).toBeGreaterThanOrEqual(8);
    }
    expect(roomQueueNames("trtc-callbacks", 2)).toEqual(["trtc-callbacks-0", "trtc-callbacks-1"]);
  });

  it("accepts one handler map for both the router and the worker", () => {
    // Compile-time: a map declared for the router is accepted by the worker.
    const handlers = {
      "Room.CallbackAfterMemberEnter": async (event) => {
        void event.RoomId;
      },
    } satisfies CallbackHandlers;
    const shared: CallbackHandlers = handlers;
    const forWorker: CallbackWorkerHandlers = shared;
    const inline: CallbackWorkerHandlers = {
      "Room.CallbackAfterDestroyRoom": (_event, context) => {
        void context.jobId;
        // @ts-expect-error there is no HTTP request in a worker
        void context.request.headers;
      },
    };
    expect(routerApp(shared)).toBeDefined();
    expect(Object.keys({ ...forWorker, ...inline })).toHaveLength(2);
  });
});
