import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import Redis from "ioredis";
import type { CallbackFailureInfo, TrtcCallbackError } from "trtc-room-callbacks";
import {
  createCallbackWorker,
  enqueueCallbacks,
  type CallbackWorkerErrorInfo,
} from "trtc-room-callbacks/bullmq";
import { main } from "../lib/cli/main";
import {
  endWorker,
  eventually,
  memberEnter,
  producerConnection,
  routerApp,
  sendCallback,
  spawnWorker,
} from "./helpers/bullmq";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

jest.setTimeout(60_000);

const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
const ENTER = "Room.CallbackAfterMemberEnter";

/** Faults that must lose nothing: each against a real redis-server, some with worker processes. */
describeWithServer("redis-server", "durable delivery under faults", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length > 0) await cleanup.pop()?.();
  });

  async function redisServer(aof = false): Promise<{ current: RedisServer }> {
    const holder = { current: await startRedis({ aof }) };
    cleanup.push(() => holder.current.close());
    return holder;
  }
  function producer(redis: RedisServer): Queue {
    const queue = new Queue(`q${randomUUID()}`, { connection: producerConnection(redis) });
    // A queue whose Redis is gone cannot QUIT: disconnect, then close.
    cleanup.push(async () => {
      await queue.disconnect();
      await queue.close();
    });
    return queue;
  }
  function recorder() {
    const reports: [TrtcCallbackError, CallbackFailureInfo<unknown>][] = [];
    return {
      reports,
      onError: (error: TrtcCallbackError, info: CallbackFailureInfo<unknown>) =>
        void reports.push([error, info]),
    };
  }

  it("Redis stopped before a callback: FAIL within the deadline, onError has the event's raw body", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    await queue.waitUntilReady();
    const { reports, onError } = recorder();
    const app = routerApp(enqueueCallbacks(queue), { onError, timeoutMs: 1500 });
    await redis.current.stop();

    const body = memberEnter("stopped", ["alice"], 1);
    const answer = await sendCallback(app, ENTER, body);
    expect(answer).toEqual({
      status: 200,
      ack: {
        ActionStatus: "FAIL",
        ErrorCode: 5001,
        ErrorInfo: "the event was not queued: Redis did not accept it",
      },
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.[1].rawBody).toBe(body);
    expect(reports[0]?.[0].cause).toBeInstanceOf(Error);
  });

  it("Redis refusing writes (out of memory under noeviction): FAIL, onError has the event; OK again once it accepts", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    await queue.waitUntilReady();
    const admin = new Redis(redis.current.port);
    cleanup.push(async () => admin.disconnect());
    const { reports, onError } = recorder();
    const app = routerApp(enqueueCallbacks(queue), { onError });
    await admin.config("SET", "maxmemory", "1");
    const body = memberEnter("oom", ["alice"], 1);
    const answer = await sendCallback(app, ENTER, body);
    expect(answer.ack).toEqual({
      ActionStatus: "FAIL",
      ErrorCode: 5001,
      ErrorInfo: "the event was not queued: Redis did not accept it",
    });
    expect(String((reports[0]?.[0].cause as Error).message)).toMatch(/OOM/);
    expect(reports[0]?.[1].rawBody).toBe(body);
    await admin.config("SET", "maxmemory", "0");
    expect((await sendCallback(app, ENTER, body)).ack).toEqual(OK);
    expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
  });

  it("Redis frozen: FAIL by the deadline; after SIGCONT the next callback is OK by itself", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    await queue.waitUntilReady();
    const { reports, onError } = recorder();
    const app = routerApp(enqueueCallbacks(queue), { onError, timeoutMs: 1500 });
    redis.current.freeze();
    const body = memberEnter("frozen", ["alice"], 1);
    let answer;
    try {
      answer = await sendCallback(app, ENTER, body);
    } finally {
      redis.current.thaw();
    }
    expect(answer.ack).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 5001 });
    expect(answer.ack.ErrorInfo).toMatch(/^the event was not queued/);
    expect(reports.map(([, info]) => info.rawBody)).toEqual([body]);

    expect(await sendCallback(app, ENTER, memberEnter("frozen", ["bob"], 2))).toEqual({
      status: 200,
      ack: OK,
    });
    expect((await queue.getWaiting()).map((job) => job.data.event.MemberList_Account)).toContainEqual([
      "bob",
    ]);
  });

  it("a worker process killed with SIGKILL mid-job: the job completes on another worker, its effect once", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    const first = await spawnWorker(redis.current.url, queue.name, "slow");
    cleanup.push(() => endWorker(first, "SIGKILL"));

    expect(
      (await sendCallback(routerApp(enqueueCallbacks(queue)), ENTER, memberEnter("k", ["a"], 1))).ack,
    ).toEqual(OK);
    const [job] = await queue.getJobs(["waiting", "active"]);
    const jobId = job?.id as string;
    await eventually(async () => (await inspect.hget("started", jobId)) === "1");
    await endWorker(first, "SIGKILL");
    expect(await inspect.hget("effects", jobId)).toBeNull();

    const second = await spawnWorker(redis.current.url, queue.name, "slow");
    cleanup.push(() => endWorker(second));
    await eventually(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(await inspect.hgetall("effects")).toEqual({ [jobId]: "1" });
    expect(await inspect.hget("started", jobId)).toBe("2");
  });

  it("a job whose worker died more often than maxStalledCount: failed set, and onError hears of it as final", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    const first = await spawnWorker(redis.current.url, queue.name, "slow");
    cleanup.push(() => endWorker(first, "SIGKILL"));
    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    expect(
      (await sendCallback(routerApp(enqueueCallbacks(queue)), ENTER, memberEnter("st", ["a"], 1))).ack,
    ).toEqual(OK);
    await eventually(async () => (await inspect.hlen("started")) === 1);
    await endWorker(first, "SIGKILL");

    const reports: CallbackWorkerErrorInfo[] = [];
    const checker = createCallbackWorker(queue.name, {
      connection: { port: redis.current.port },
      handlers: { [ENTER]: () => {} },
      onError: (_error, info) => void reports.push(info),
      workerOptions: { maxStalledCount: 0, stalledInterval: 300 },
    });
    cleanup.push(() => checker.close());
    await eventually(() => reports.length === 1);
    expect(reports[0]).toMatchObject({ final: true, command: ENTER });
    expect(JSON.parse(reports[0]?.rawBody ?? "")).toMatchObject({ RoomId: "st" });
    expect(await queue.getFailedCount()).toBe(1);
  });

  /** The reports the worker processes pushed, in order. */
  async function reportsOf(inspect: Redis) {
    return (await inspect.lrange("reports", 0, -1)).map(
      (line) => JSON.parse(line) as { jobId: string; attempt: number; final: boolean },
    );
  }

  it("a handler (in a worker process) that fails twice then succeeds: its effect happens once", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    const flaky = await spawnWorker(redis.current.url, queue.name, "flaky");
    cleanup.push(() => endWorker(flaky));
    expect(
      (await sendCallback(routerApp(enqueueCallbacks(queue)), ENTER, memberEnter("f", ["a"], 1))).ack,
    ).toEqual(OK);
    await eventually(async () => (await queue.getJobCounts("completed")).completed === 1);
    const [job] = await queue.getCompleted();
    expect(await inspect.hgetall("effects")).toEqual({ [job?.id as string]: "1" });
    expect(await reportsOf(inspect)).toEqual([
      { jobId: job?.id, attempt: 1, final: false },
      { jobId: job?.id, attempt: 2, final: false },
    ]);
  });

  it("a handler that always fails: failed set, onError has it, and `queue retry` processes it once the handler is fixed", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    const broken = await spawnWorker(redis.current.url, queue.name, "broken");
    cleanup.push(() => endWorker(broken));
    expect(
      (await sendCallback(routerApp(enqueueCallbacks(queue)), ENTER, memberEnter("dead", ["a"], 1))).ack,
    ).toEqual(OK);
    await eventually(async () => (await queue.getFailedCount()) === 1);
    await eventually(async () => (await reportsOf(inspect)).some((report) => report.final));
    const [failed] = await queue.getFailed();
    const jobId = failed?.id as string;
    expect(await reportsOf(inspect)).toEqual([
      { jobId, attempt: 1, final: false },
      { jobId, attempt: 2, final: false },
      { jobId, attempt: 3, final: true },
    ]);
    expect(failed?.failedReason).toBe("the seat service rejects us");

    // The fix is deployed: the broken worker stops, a fixed one starts, the job is replayed.
    await endWorker(broken);
    const fixed = await spawnWorker(redis.current.url, queue.name, "quick");
    cleanup.push(() => endWorker(fixed));
    const out = { stdout: "", stderr: "" };
    const code = await main(
      ["queue", "retry", "--all", "--redis", redis.current.url, "--queue", queue.name],
      {
        stdout: (text) => void (out.stdout += text),
        stderr: (text) => void (out.stderr += text),
      },
    );
    expect({ code, ...out }).toEqual({
      code: 0,
      stdout: `retried 1 failed job in ${queue.name}\n`,
      stderr: "",
    });
    await eventually(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(await inspect.hgetall("effects")).toEqual({ [jobId]: "1" });
  });

  it("Redis restarted with AOF on: jobs queued before the restart are processed after it", async () => {
    const redis = await redisServer(true);
    const queue = producer(redis.current);
    const app = routerApp(enqueueCallbacks(queue));
    for (let i = 0; i < 5; i++) {
      expect((await sendCallback(app, ENTER, memberEnter("aof", [`u${i}`], i))).ack).toEqual(OK);
    }
    redis.current = await redis.current.restart();
    // The producer reconnects by itself; a callback FAILed meanwhile is the same job when re-sent.
    const late = memberEnter("aof", ["late"], 99);
    await eventually(async () => (await sendCallback(app, ENTER, late)).ack.ActionStatus === "OK");

    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    const worker = await spawnWorker(redis.current.url, queue.name, "quick");
    cleanup.push(() => endWorker(worker));
    await eventually(async () => (await queue.getJobCounts("completed")).completed === 6);
    const effects = Object.values(await inspect.hgetall("effects"));
    expect(effects).toEqual(["1", "1", "1", "1", "1", "1"]);
  });

  it("the same callback sent twice, to two routers, with worker processes running: one job, one effect", async () => {
    const redis = await redisServer();
    const queue = producer(redis.current);
    const inspect = new Redis(redis.current.port);
    cleanup.push(async () => inspect.disconnect());
    const workers = await Promise.all([1, 2].map(() => spawnWorker(redis.current.url, queue.name, "quick")));
    for (const child of workers) cleanup.push(() => endWorker(child));
    const body = memberEnter("twice", ["alice"], 7);
    const [a, b] = [routerApp(enqueueCallbacks(queue)), routerApp(enqueueCallbacks(queue))];
    const answers = await Promise.all([sendCallback(a, ENTER, body), sendCallback(b, ENTER, body)]);
    expect(answers.map((answer) => answer.ack)).toEqual([OK, OK]);
    await eventually(async () => (await queue.getJobCounts("completed")).completed === 1);
    expect(await sendCallback(a, ENTER, body)).toEqual({ status: 200, ack: OK });
    expect(Object.values(await inspect.hgetall("effects"))).toEqual(["1"]);
    expect(await queue.getJobCounts("waiting", "active", "completed")).toEqual({
      waiting: 0,
      active: 0,
      completed: 1,
    });
  });
});
