/**
 * Durable router vs plain router: `node bench/durable.mjs`. Two receivers,
 * each in a process of its own on 127.0.0.1: the **router** with a no-op
 * handler, and the **durable** router whose handlers are
 * `enqueueCallbacks(queue)` (a BullMQ job stored in a local redis-server,
 * AOF everysec, before the ack). autocannon loads them from this process in
 * alternating rounds, every request a distinct callback (so no job id
 * repeats); the comparison is the ratio within this run. Also prints the
 * durable receiver's enqueue time (the handler, from call to Redis's
 * answer), p50 and p99.
 *
 * Options (flag or environment variable):
 *   --rounds N       BENCH_ROUNDS       rounds (default 3)
 *   --duration S     BENCH_DURATION     seconds per receiver per round (default 4)
 *   --connections N  BENCH_CONNECTIONS  keep-alive connections (default 10)
 *
 * Needs redis-server on the PATH. Goal: durable req/s >= 0.5 x the router's.
 */
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build, buildDir } from "./build.mjs";
import { askUsage, forkReceiver } from "./harness.mjs";
import { startRedis } from "./redis.mjs";

const require = createRequire(import.meta.url);
const BUILD_DIR = buildDir("durable-bench");
const SDK_APP_ID = 1400000001;
const COMMAND = "Room.CallbackAfterMemberEnter";
const RECEIVERS = ["router", "durable"];

const [role, redisUrl] = process.argv.slice(2);
if (RECEIVERS.includes(role)) await receiver(role, redisUrl);
else await bench();

async function load(name) {
  return import(pathToFileURL(`${BUILD_DIR}/${name}.js`).href);
}

async function receiver(kind, url) {
  const express = require("express");
  const { createCallbackRouter } = await load("index");
  let handlers = { [COMMAND]: async () => {} };
  const enqueueTimes = [];
  if (kind === "durable") {
    const { Queue } = require("bullmq");
    const { enqueueCallbacks } = await load("bullmq/index");
    const { hostname, port } = new URL(url);
    const queue = new Queue("trtc-bench", {
      connection: { host: hostname, port: Number(port), enableOfflineQueue: false, commandTimeout: 1000 },
    });
    await queue.waitUntilReady();
    const enqueue = enqueueCallbacks(queue, { commands: [COMMAND] })[COMMAND];
    handlers = {
      [COMMAND]: async (event, context) => {
        const started = performance.now();
        await enqueue(event, context);
        enqueueTimes.push(performance.now() - started);
      },
    };
  }
  let failures = 0;
  const app = express();
  app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers, onError: () => void failures++ }));
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  let requests = 0;
  server.on("request", () => requests++);
  process.on("message", (message) => {
    if (message !== "usage") return;
    const sorted = enqueueTimes.splice(0).sort((a, b) => a - b);
    process.send({ cpu: process.cpuUsage(), requests, failures, enqueue: sorted });
  });
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
  process.on("disconnect", () => process.exit(0));
}

async function bench() {
  const autocannon = require("autocannon");
  const { values: flags } = parseArgs({
    options: { rounds: { type: "string" }, duration: { type: "string" }, connections: { type: "string" } },
  });
  const setting = (name, env, fallback) => Number(flags[name] ?? process.env[env] ?? fallback);
  const rounds = setting("rounds", "BENCH_ROUNDS", 3);
  const duration = setting("duration", "BENCH_DURATION", 4);
  const connections = setting("connections", "BENCH_CONNECTIONS", 10);

  let sequence = 0;
  // A distinct callback per request: the same body would be one job, and later adds no-ops.
  const body = () =>
    JSON.stringify({
      CallbackCommand: COMMAND,
      Operator_Account: "user_7f3c9a21",
      RoomId: `room-${sequence % 500}`,
      MemberCount: 12,
      Type: "Enter",
      MemberList_Account: ["user_7f3c9a21", `user_${sequence}`],
      EventTime: 1763801234567 + sequence++,
    });

  const start = (kind, url) => forkReceiver(fileURLToPath(import.meta.url), [kind, url], kind);
  const usage = askUsage;
  const load = (url, seconds) =>
    new Promise((resolve, reject) => {
      const latencies = [];
      const instance = autocannon(
        {
          url,
          connections,
          duration: seconds,
          requests: [
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              setupRequest: (request) => ({ ...request, body: body() }),
            },
          ],
        },
        (error, result) => {
          if (error) return reject(error);
          const failed = result.errors + result.timeouts + result.non2xx;
          latencies.sort((a, b) => a - b);
          resolve({
            rps: result.requests.total / result.duration,
            p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
            failed,
          });
        },
      );
      instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
    });
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

  console.log(
    `durable vs plain router: node ${process.version}, ${os.availableParallelism()} CPUs, load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(
        " ",
      )}; ${rounds} rounds x ${duration} s each, ${connections} connections, redis-server AOF everysec`,
  );
  build(BUILD_DIR);
  const redis = await startRedis({ aof: true });
  const receivers = await Promise.all(RECEIVERS.map((kind) => start(kind, redis.url)));
  let ok;
  try {
    for (const { url } of receivers) await load(url, 1);
    const results = Object.fromEntries(RECEIVERS.map((kind) => [kind, []]));
    const enqueueAll = [];
    console.log(
      `${"round".padStart(5)}  ${"receiver".padStart(8)}  ${"req/s".padStart(7)}  ${"p99 ms".padStart(7)}  ${"CPU µs/req".padStart(10)}  failed`,
    );
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...receivers].reverse() : receivers;
      for (const receiver of order) {
        const before = await usage(receiver.child); // also empties the enqueue times so far
        const result = await load(receiver.url, duration);
        const after = await usage(receiver.child);
        const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
        result.cpuPerRequest = cpu / (after.requests - before.requests);
        if (receiver.kind === "durable") enqueueAll.push(...after.enqueue);
        results[receiver.kind].push(result);
        console.log(
          `${String(round + 1).padStart(5)}  ${receiver.kind.padStart(8)}  ${result.rps.toFixed(0).padStart(7)}  ${result.p99.toFixed(1).padStart(7)}  ${result.cpuPerRequest.toFixed(0).padStart(10)}  ${result.failed}`,
        );
      }
    }
    const ratios = results.durable.map((r, i) => r.rps / results.router[i].rps);
    const ratio = median(ratios);
    const cpuRatios = results.durable.map((r, i) => r.cpuPerRequest / results.router[i].cpuPerRequest);
    enqueueAll.sort((a, b) => a - b);
    console.log(
      `\nmedian req/s: router ${median(results.router.map((r) => r.rps)).toFixed(0)}, durable ${median(results.durable.map((r) => r.rps)).toFixed(0)}`,
    );
    console.log(
      `durable / router req/s: ${ratio.toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(" ")})`,
    );
    // CPU per request is steadier than req/s on a shared machine (the receiver's own time only; Redis's is apart).
    console.log(
      `durable / router receiver CPU per request: ${median(cpuRatios).toFixed(2)} (rounds: ${cpuRatios.map((r) => r.toFixed(2)).join(" ")})`,
    );
    console.log(
      `enqueue (handler call to Redis's answer), ${enqueueAll.length} jobs: p50 ${pct(enqueueAll, 50).toFixed(2)} ms, p99 ${pct(enqueueAll, 99).toFixed(2)} ms`,
    );
    const failed = Object.values(results)
      .flat()
      .reduce((sum, r) => sum + r.failed, 0);
    ok = failed === 0;
    console.log(
      `goal (durable >= 0.5 x router): ${ratio >= 0.5 ? "met" : "NOT met"}${failed ? `; ${failed} failed requests` : ""}`,
    );
  } finally {
    for (const { child } of receivers) child.kill();
    await redis.stop();
  }
  process.exitCode = ok ? 0 : 1;
}
