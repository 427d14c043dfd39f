import { readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import { Queue } from "bullmq";
import Redis from "ioredis";
import request from "supertest";
import { createCallbackRouter, type CallbackHandlers } from "trtc-room-callbacks";
import {
  createCallbackWorker,
  enqueueCallbacks,
  enqueueCallbacksByRoom,
  roomQueueNames,
} from "trtc-room-callbacks/bullmq";
import { callbackQuery } from "trtc-room-callbacks/testing";
import { main } from "../lib/cli/main";
import { eventually, memberEnter } from "./helpers/bullmq";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

jest.setTimeout(30_000);

/** The README's Production section, run against a real redis-server. */
describeWithServer("redis-server", "README: Production", () => {
  let redis: RedisServer;
  const previousUrl = process.env["REDIS_URL"];
  beforeAll(async () => {
    redis = await startRedis();
    process.env["REDIS_URL"] = redis.url;
  });
  afterAll(async () => {
    if (previousUrl === undefined) delete process.env["REDIS_URL"];
    else process.env["REDIS_URL"] = previousUrl;
    await redis.close();
  });

  it("receives, stores, acks; the worker runs the shared handlers; partitions keep a room in order", async () => {
    const listeners = process.listeners("SIGTERM");
    const error = jest.spyOn(console, "error").mockImplementation(() => {});
    const samples = () => {
      // README: "Production: receive" (begin)
      const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
      // Fail fast: the ack must be FAIL within Tencent's 2 s, not wait for Redis to come back.
      const producer = { url: redisUrl, enableOfflineQueue: false, commandTimeout: 1000 };
      const queue = new Queue("trtc-callbacks", { connection: producer });

      const app = express();
      app.use(
        "/trtc",
        createCallbackRouter({
          sdkAppId: 1400000001,
          handlers: enqueueCallbacks(queue),
          onError: (error, info) => console.error(error.message, info.rawBody),
        }),
      );
      // README: "Production: receive" (end)

      // README: "Production: work" (begin)
      const db = new Redis(redisUrl);
      // One map for the router or the worker. Idempotent: a job may run more than once.
      const handlers = {
        "Room.CallbackAfterMemberEnter": async (event) => {
          for (const id of event.MemberList_Account ?? []) await db.sadd(`room:${event.RoomId}:members`, id);
        },
        "Room.CallbackAfterDestroyRoom": async (event) => {
          await db.del(`room:${event.RoomId}:members`);
        },
      } satisfies CallbackHandlers;

      const worker = createCallbackWorker("trtc-callbacks", {
        connection: { url: redisUrl },
        handlers,
        concurrency: 8,
        attempts: 5,
        onError: (error, info) =>
          console.error(
            `${info.jobId}, attempt ${info.attempt} of ${info.attempts}${info.final ? ", failed for good" : ""}: ${error.message}`,
          ),
      });
      // Graceful: stop taking jobs, abort the running ones' context.signal, wait for them, exit.
      process.once("SIGTERM", () => void worker.close().then(() => process.exit(0)));
      // README: "Production: work" (end)

      // README: "Production: ordered" (begin)
      const names = roomQueueNames("trtc-ordered", 4); // trtc-ordered-0 … trtc-ordered-3
      const queues = names.map((name) => new Queue(name, { connection: producer }));
      app.use(
        "/trtc-ordered",
        createCallbackRouter({ sdkAppId: 1400000001, handlers: enqueueCallbacksByRoom(queues) }),
      );
      const ordered = names.map((name) =>
        createCallbackWorker(name, { connection: { url: redisUrl }, handlers, concurrency: 1 }),
      );
      // README: "Production: ordered" (end)
      return { app, queue, queues, db, worker, ordered };
    };
    const { app, queue, queues, db, worker, ordered } = samples();
    try {
      const send = (path: string, body: string) =>
        request(app)
          .post(path)
          .query(callbackQuery({ sdkAppId: 1400000001, command: "Room.CallbackAfterMemberEnter" }))
          .send(body)
          .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
      await send("/trtc", memberEnter("standup", ["alice", "bob"], 1));
      await eventually(async () => (await db.scard("room:standup:members")) === 2);
      for (let i = 0; i < 6; i++) await send("/trtc-ordered", memberEnter("ordered", [`u${i}`], i));
      await eventually(async () => (await db.scard("room:ordered:members")) === 6);
      expect(process.listeners("SIGTERM")).toHaveLength(listeners.length + 1);
      expect(error).not.toHaveBeenCalled();
    } finally {
      for (const listener of process.listeners("SIGTERM")) {
        if (!listeners.includes(listener)) process.removeListener("SIGTERM", listener);
      }
      await Promise.all([worker, ...ordered].map((w) => w.close()));
      await Promise.all([queue, ...queues].map((q) => q.close()));
      db.disconnect();
      error.mockRestore();
    }
  });

  it("each `trtc-room-callbacks queue` line of the section exits 0", async () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Production"), readme.indexOf("## Compatibility"));
    const lines = section.split("\n").filter((line) => line.startsWith("trtc-room-callbacks queue "));
    expect(lines.map((line) => line.split(" ")[2])).toEqual(["stats", "failed", "retry"]);
    for (const line of lines) {
      const args = line.replaceAll('"$REDIS_URL"', redis.url).split(" ").slice(1);
      let output = "";
      const code = await main(args, {
        stdout: (text) => void (output += text),
        stderr: (text) => void (output += text),
      });
      expect({ line, code }).toEqual({ line, code: 0 });
      expect(output).not.toBe("");
    }
  });
});
