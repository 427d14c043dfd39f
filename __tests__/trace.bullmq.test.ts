import { randomUUID } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { Queue } from "bullmq";
import { Registry } from "prom-client";
import { createCallbackWorker, enqueueCallbacks } from "trtc-room-callbacks/bullmq";
import { METRIC_NAMES, registerMetrics } from "trtc-room-callbacks/prometheus";
import { TRACE_CHANNELS, type HandlerTraceMessage } from "../lib/core/trace";
import {
  eventually,
  memberEnter,
  producerConnection,
  routerApp,
  sendCallback,
  SDK_APP_ID,
} from "./helpers/bullmq";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

jest.setTimeout(30_000);

const ENTER = "Room.CallbackAfterMemberEnter";

describeWithServer("redis-server", "the durable worker on the handler channel", () => {
  let redis: RedisServer;
  const closers: (() => unknown)[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()?.();
  });
  afterAll(async () => {
    await redis.close();
  });

  it("traces each attempt with the job id, the attempt and whether it is the last; metrics count retried, completed and failed", async () => {
    const queue = new Queue(`q${randomUUID()}`, { connection: producerConnection(redis) });
    closers.push(() => queue.close());
    const ends: { event: string; message: HandlerTraceMessage }[] = [];
    const channel = diagnosticsChannel.tracingChannel(TRACE_CHANNELS.handler);
    const subscribers = {
      start: (message: object) =>
        ends.push({ event: "start", message: { ...(message as HandlerTraceMessage) } }),
      asyncEnd: (message: object) =>
        ends.push({ event: "asyncEnd", message: { ...(message as HandlerTraceMessage) } }),
    } as unknown as diagnosticsChannel.TracingChannelSubscribers<object>;
    channel.subscribe(subscribers);
    closers.push(() => channel.unsubscribe(subscribers));
    const registry = new Registry();
    closers.push(registerMetrics(registry));

    const app = routerApp(enqueueCallbacks(queue));
    // Room "flaky" fails its first attempt; room "broken" fails every attempt.
    const attemptsByRoom = new Map<string, number>();
    const worker = createCallbackWorker(queue.name, {
      connection: { host: "127.0.0.1", port: redis.port },
      attempts: 2,
      backoff: () => 10,
      handlers: {
        [ENTER]: (event) => {
          const made = (attemptsByRoom.get(event.RoomId) ?? 0) + 1;
          attemptsByRoom.set(event.RoomId, made);
          if (event.RoomId === "broken" || made === 1)
            throw new Error(`attempt ${made} of ${event.RoomId} failed`);
        },
      },
    });
    closers.push(() => worker.close());

    expect((await sendCallback(app, ENTER, memberEnter("flaky", ["a"], 1))).status).toBe(200);
    expect((await sendCallback(app, ENTER, memberEnter("broken", ["b"], 2))).status).toBe(200);
    await eventually(
      () => ends.filter((end) => end.message.adapter === "bullmq" && end.event === "asyncEnd").length === 4,
    );

    const worked = ends.filter((end) => end.message.adapter === "bullmq");
    // Each attempt is one operation: its start, then its end.
    expect(worked.map((end) => end.event)).toEqual(Array(4).fill(["start", "asyncEnd"]).flat());
    const finished = worked.filter((end) => end.event === "asyncEnd").map((end) => end.message);
    for (const message of finished) {
      expect(message).toMatchObject({
        adapter: "bullmq",
        command: ENTER,
        receivedCommand: ENTER,
        sdkAppId: String(SDK_APP_ID),
      });
      expect(message.jobId).toEqual(expect.any(String));
    }
    const summary = finished
      .map((message) => [message.jobId, message.attempt, message.final, message.outcome])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
    const [first, second] = [...new Set(finished.map((message) => message.jobId))].sort();
    const outcomes = new Map(summary.map((row) => [`${String(row[0])}#${String(row[1])}`, row.slice(2)]));
    // Both jobs fail their first attempt (not final); then one completes and the other fails for good.
    expect(outcomes.get(`${String(first)}#1`)).toEqual([false, "fail"]);
    expect(outcomes.get(`${String(second)}#1`)).toEqual([false, "fail"]);
    expect([outcomes.get(`${String(first)}#2`), outcomes.get(`${String(second)}#2`)].sort()).toEqual([
      [true, "fail"],
      [true, "ok"],
    ]);
    const failed = finished.find((message) => message.outcome === "fail");
    expect((failed?.error as Error).message).toMatch(
      /handler failed \(attempt 1 of 2\): attempt 1 of \w+ failed/,
    );

    const text = await registry.metrics();
    expect(text).toContain(`${METRIC_NAMES.jobs}{command="${ENTER}",outcome="retried"} 2`);
    expect(text).toContain(`${METRIC_NAMES.jobs}{command="${ENTER}",outcome="completed"} 1`);
    expect(text).toContain(`${METRIC_NAMES.jobs}{command="${ENTER}",outcome="failed"} 1`);
  });
});
