/**
 * Durable-delivery soak: 3 receiver processes (the router with
 * enqueueCallbacks) and 2 worker processes (createCallbackWorker) on one
 * redis-server; 10,000 distinct callbacks at 64 in flight, spread over the
 * receivers. Passes when every callback is acked OK, every event's effect
 * happened exactly once (each worker handler does HINCRBY effects <event> 1),
 * no job failed, and the queue is empty at the end.
 *
 *   npm run soak:durable
 *   SOAK_TOTAL=2000 node bench/soak-durable.mjs
 *
 * Needs redis-server on the PATH. Compiles lib/ into a directory of its own
 * (node_modules/.cache/trtc-room-callbacks-durable), so a concurrent build
 * cannot pull the package from under it.
 */
import { fork } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, buildDir } from "./build.mjs";
import { startRedis } from "./redis.mjs";

const require = createRequire(import.meta.url);
const BUILD_DIR = buildDir("soak-durable");
const QUEUE = "trtc-soak";
const SDK_APP_ID = 1400000001;
const COMMAND = "Room.CallbackAfterMemberEnter";
const OK = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';
const PATH = `/trtc?${new URLSearchParams({
  SdkAppid: String(SDK_APP_ID),
  CallbackCommand: COMMAND,
  contenttype: "json",
  ClientIP: "1.2.3.4",
  OptPlatform: "Web",
})}`;

const [role, redisUrl] = process.argv.slice(2);
if (role === "receiver") await receiver(redisUrl);
else if (role === "worker") await worker(redisUrl);
else await soak();

/** The i-th callback: a distinct event (its own EventTime), an 18-digit ID sent as a bare number. */
function body(i) {
  return `{"CallbackCommand":"${COMMAND}","RoomId":"room-${i % 500}","MemberCount":2,"Type":"Enter","MemberList_Account":["user${i}",${144115233775727695n + BigInt(i)}],"EventTime":${1670574414123 + i}}`;
}

async function load(name) {
  return import(pathToFileURL(`${BUILD_DIR}/${name}.js`).href);
}

function connection(url) {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

async function receiver(url) {
  const express = require("express");
  const { Queue } = require("bullmq");
  const { createCallbackRouter } = await load("index");
  const { enqueueCallbacks } = await load("bullmq/index");
  const queue = new Queue(QUEUE, {
    connection: { ...connection(url), enableOfflineQueue: false, commandTimeout: 1000 },
  });
  await queue.waitUntilReady();
  let failures = 0;
  const times = [];
  const enqueue = enqueueCallbacks(queue)[COMMAND];
  const app = express();
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: SDK_APP_ID,
      handlers: {
        [COMMAND]: async (event, context) => {
          const started = performance.now();
          try {
            await enqueue(event, context);
          } finally {
            times.push(performance.now() - started);
          }
        },
      },
      onError: () => void failures++,
    }),
  );
  const server = app.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
  server.keepAliveTimeout = 60_000;
  process.on("message", (message) => message === "failures" && process.send({ failures, times }));
  process.on("disconnect", () => process.exit(0));
}

async function worker(url) {
  const Redis = require("ioredis");
  const { createCallbackWorker } = await load("bullmq/index");
  const redis = new Redis(connection(url));
  let reported = 0;
  const handle = async (event) => {
    // The 18-digit ID must arrive exact: it is part of the effect's key.
    await redis.hincrby("effects", `${event.EventTime}:${event.MemberList_Account?.[1]}`, 1);
  };
  const w = createCallbackWorker(QUEUE, {
    connection: connection(url),
    handlers: { [COMMAND]: handle },
    concurrency: 16,
    onError: () => void reported++,
  });
  await w.waitUntilReady();
  process.send({ ready: true });
  process.on("message", async (message) => {
    if (message !== "stop") return;
    await w.close();
    redis.disconnect();
    process.send({ reported });
    process.exit(0);
  });
}

function child(role, url) {
  const process_ = fork(fileURLToPath(import.meta.url), [role, url], { stdio: "inherit" });
  const first = new Promise((resolve, reject) => {
    process_.once("message", resolve);
    process_.once("exit", (code) => reject(new Error(`the ${role} exited with ${code}`)));
  });
  return { process: process_, first };
}

function ask(proc, question) {
  return new Promise((resolve) => {
    proc.once("message", resolve);
    proc.send(question);
  });
}

function post(port, agent, i) {
  const text = body(i);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: PATH,
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) },
      },
      (res) => {
        let answer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (answer += chunk));
        res.on("end", () =>
          resolve(res.statusCode === 200 && answer === OK ? "ok" : `${res.statusCode} ${answer}`),
        );
      },
    );
    req.on("error", (error) => resolve(`transport ${error.code ?? error.message}`));
    req.end(text);
  });
}

async function soak() {
  const TOTAL = Number(process.env.SOAK_TOTAL ?? 10_000);
  const CONCURRENCY = 64;
  build(BUILD_DIR);
  const redis = await startRedis({ aof: true });
  const client = new (require("ioredis"))(redis.url);
  const receivers = [0, 1, 2].map(() => child("receiver", redis.url));
  const workers = [0, 1].map(() => child("worker", redis.url));
  let ok;
  try {
    const ports = (await Promise.all(receivers.map((r) => r.first))).map((m) => m.port);
    await Promise.all(workers.map((w) => w.first));
    const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }));

    console.log(
      `node ${process.version}: ${TOTAL} callbacks, ${CONCURRENCY} in flight over 3 receiver processes; 2 worker processes (concurrency 16); one redis-server (AOF everysec)`,
    );
    const started = performance.now();
    const errors = new Map();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          const outcome = await post(ports[i % 3], agents[i % 3], i);
          if (outcome !== "ok") errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
        }
      }),
    );
    const ackedIn = (performance.now() - started) / 1000;
    const { Queue } = require("bullmq");
    const queue = new Queue(QUEUE, { connection: connection(redis.url) });
    let counts;
    for (;;) {
      counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
      if (counts.completed + counts.failed >= TOTAL - [...errors.values()].reduce((a, b) => a + b, 0)) break;
      if (performance.now() - started > 300_000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const processedIn = (performance.now() - started) / 1000;
    const effects = await client.hgetall("effects");
    const values = Object.values(effects).map(Number);
    const once = values.filter((n) => n === 1).length;
    const more = values.filter((n) => n > 1).length;
    const expectedKeys = new Set(
      Array.from({ length: TOTAL }, (_, i) => `${1670574414123 + i}:${144115233775727695n + BigInt(i)}`),
    );
    const missing = [...expectedKeys].filter((key) => !(key in effects)).length;
    const answers = await Promise.all(receivers.map((r) => ask(r.process, "failures")));
    const receiverFailures = answers.reduce((sum, m) => sum + m.failures, 0);
    const times = answers.flatMap((m) => m.times).sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))].toFixed(1);
    const workerFailures = (await Promise.all(workers.map((w) => ask(w.process, "stop")))).reduce(
      (sum, m) => sum + m.reported,
      0,
    );
    await queue.close();
    for (const agent of agents) agent.destroy();

    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `acked           ${TOTAL - errorCount} OK of ${TOTAL} in ${ackedIn.toFixed(2)} s (${Math.round(TOTAL / ackedIn)} callbacks/s)`,
    );
    console.log(
      `ack errors      ${errorCount}${errorCount ? ` ${JSON.stringify(Object.fromEntries(errors))}` : ""}; onError in receivers ${receiverFailures}`,
    );
    console.log(
      `enqueue         p50 ${at(50)} ms, p99 ${at(99)} ms, max ${times.at(-1).toFixed(0)} ms; ${times.filter((t) => t >= 1000).length} at the 1000 ms limit`,
    );
    console.log(`processed       all by ${processedIn.toFixed(2)} s; jobs ${JSON.stringify(counts)}`);
    console.log(
      `effects         ${once} exactly once, ${more} more than once, ${missing} missing (exact 18-digit IDs in every key)`,
    );
    console.log(`worker onError  ${workerFailures}`);
    ok =
      errorCount === 0 &&
      once === TOTAL &&
      more === 0 &&
      missing === 0 &&
      counts.completed === TOTAL &&
      counts.failed === 0 &&
      counts.waiting + counts.active + counts.delayed === 0;
  } finally {
    for (const r of [...receivers, ...workers]) r.process.kill();
    client.disconnect();
    await redis.stop();
  }
  console.log(ok ? "PASS" : "FAIL");
  process.exitCode = ok ? 0 : 1;
}
