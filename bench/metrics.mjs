/**
 * The cost of observability: `node bench/metrics.mjs` compiles the package,
 * then loads three receivers of the same Room callback in alternating rounds
 * with autocannon from this process, each receiver an Express router in a
 * process of its own:
 *
 *   none        no one subscribes to the tracing channels (the default cost)
 *   subscriber  a plain subscriber on both channels' asyncEnd that does nothing
 *   metrics     `registerMetrics(registry)` from `trtc-room-callbacks/prometheus`
 *
 * It prints req/s and CPU µs per request for each, and the ratios to `none`
 * measured round by round side by side. Target: metrics / none req/s >= 0.95.
 *
 * Then, in-process, it times the transport-free core (`createCallbackHandle`,
 * body in memory) per request: without a tracer at all (as where
 * `diagnostics_channel` is missing), with the tracer but no subscriber (what
 * every router pays), with the plain subscriber, and with the metrics.
 *
 * Options (flag or environment variable):
 *   --rounds N       BENCH_ROUNDS       rounds, each loading every receiver once (default 5, at least 3)
 *   --duration S     BENCH_DURATION     seconds of load per receiver per round (default 4)
 *   --warmup S       BENCH_WARMUP       seconds of unmeasured load per receiver first (default 2)
 *   --connections N  BENCH_CONNECTIONS  keep-alive connections (default 10)
 *   --core-only                         only the in-process timings (on the last compilation)
 */
import diagnosticsChannel from "node:diagnostics_channel";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, buildDir } from "./build.mjs";
import { ACK, BODY, HEADERS, PATH, SDK_APP_ID } from "./fixture.mjs";
import { forkReceiver, loadRps, median, withCpuPerRequest } from "./harness.mjs";

const require = createRequire(import.meta.url);
const BUILD_DIR = buildDir("bench-metrics");
const RECEIVERS = ["none", "subscriber", "metrics"];

/** One receiver: `node bench/metrics.mjs receiver <kind>`, reporting `{ port }` to its parent. */
async function runReceiver(kind) {
  const express = require("express");
  const { createCallbackRouter } = require(`${BUILD_DIR}/index.js`);
  if (kind === "subscriber") {
    const ignore = () => {};
    diagnosticsChannel.tracingChannel("trtc-room-callbacks:request").subscribe({ asyncEnd: ignore });
    diagnosticsChannel.tracingChannel("trtc-room-callbacks:handler").subscribe({ asyncEnd: ignore });
  } else if (kind === "metrics") {
    const { Registry } = require("prom-client");
    const { registerMetrics } = require(`${BUILD_DIR}/prometheus/index.js`);
    registerMetrics(new Registry());
  } else if (kind !== "none") {
    throw new Error(`unknown receiver ${kind}: ${RECEIVERS.join(", ")}`);
  }
  const app = express();
  app.use(
    "/trtc",
    createCallbackRouter({
      sdkAppId: SDK_APP_ID,
      handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
    }),
  );
  const server = http.createServer(app);
  server.keepAliveTimeout = 60_000;
  let requests = 0;
  server.on("request", () => requests++);
  process.on("message", (message) => {
    if (message === "usage") process.send({ cpu: process.cpuUsage(), requests });
  });
  process.on("disconnect", () => process.exit(0));
  server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
}

if (process.argv[2] === "receiver") {
  await runReceiver(process.argv[3]);
} else {
  await runBenchmark();
}

async function runBenchmark() {
  const { values: flags } = parseArgs({
    options: {
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      "core-only": { type: "boolean" },
    },
  });
  const setting = (name, env, fallback, min, max) => {
    const text = flags[name] ?? process.env[env];
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new Error(`--${name} / ${env} must be a number from ${min} to ${max}; got ${text}`);
    }
    return value;
  };
  const rounds = Math.floor(setting("rounds", "BENCH_ROUNDS", 5, 3, 50));
  const duration = setting("duration", "BENCH_DURATION", 4, 1, 60);
  const warmup = setting("warmup", "BENCH_WARMUP", 2, 0, 30);
  const connections = Math.floor(setting("connections", "BENCH_CONNECTIONS", 10, 1, 256));
  if (flags["core-only"]) return timeCore(rounds);

  const fmt = (n, digits = 0) => n.toFixed(digits);
  const line = (cells, widths) => cells.map((cell, i) => String(cell).padStart(widths[i])).join("  ");

  const startReceiver = (kind) => forkReceiver(fileURLToPath(import.meta.url), ["receiver", kind], kind);
  const check = async ({ kind, url }) => {
    const res = await fetch(url, { method: "POST", headers: HEADERS, body: BODY });
    const text = await res.text();
    if (res.status !== 200 || JSON.stringify(JSON.parse(text)) !== JSON.stringify(ACK)) {
      throw new Error(`the ${kind} receiver answered ${res.status} ${text}`);
    }
  };
  const load = (url, seconds) => loadRps(url, seconds, connections);
  const measure = ({ child, url }, seconds) => withCpuPerRequest(child, () => load(url, seconds));

  console.log(`trtc-room-callbacks observability benchmark: ${RECEIVERS.join(", ")}`);
  console.log(
    `node ${process.version}, prom-client ${require("prom-client/package.json").version}, ` +
      `${os.availableParallelism()} CPUs, load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    `${rounds} rounds x ${duration} s per receiver, ${warmup} s warm-up, ${connections} keep-alive connections\n`,
  );

  build(BUILD_DIR);
  const receivers = await Promise.all(RECEIVERS.map(startReceiver));
  try {
    for (const receiver of receivers) await check(receiver);
    if (warmup > 0) for (const { url } of receivers) await load(url, warmup);
    const results = Object.fromEntries(RECEIVERS.map((kind) => [kind, []]));
    const widths = [5, 12, 10, 10];
    console.log(line(["round", "receiver", "req/s", "CPU µs/req"], widths));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no receiver always runs first or last in a round.
      const order = receivers.map((_, i) => receivers[(i + round) % receivers.length]);
      for (const receiver of order) {
        const result = await measure(receiver, duration);
        results[receiver.kind].push(result);
        console.log(line([round + 1, receiver.kind, fmt(result.rps), fmt(result.cpuPerRequest)], widths));
      }
    }
    const ratios = (kind, key) => results[kind].map((r, i) => r[key] / results.none[i][key]);
    console.log(`\nmedian over ${rounds} rounds`);
    console.log(line(["receiver", "req/s", "CPU µs/req"], [12, 10, 10]));
    for (const kind of RECEIVERS) {
      const of = (key) => fmt(median(results[kind].map((r) => r[key])));
      console.log(line([kind, of("rps"), of("cpuPerRequest")], [12, 10, 10]));
    }
    for (const kind of ["subscriber", "metrics"]) {
      console.log(
        `${`${kind} / none:`.padEnd(18)} req/s ${fmt(median(ratios(kind, "rps")), 3)} ` +
          `(rounds: ${ratios(kind, "rps")
            .map((n) => n.toFixed(2))
            .join(" ")}), CPU/request ${fmt(median(ratios(kind, "cpuPerRequest")), 3)} (lower is better)`,
      );
    }
    const speed = median(ratios("metrics", "rps"));
    console.log(`target (metrics / none req/s >= 0.95): ${speed >= 0.95 ? "met" : "NOT met"}`);
  } finally {
    for (const { child } of receivers) child.kill();
  }
  await timeCore(rounds);
}

/** The core's time per request in this process, for each way of tracing, in alternating rounds. */
async function timeCore(rounds) {
  const { createCallbackHandle } = require(`${BUILD_DIR}/core/handle.js`);
  const { configure } = require(`${BUILD_DIR}/core/options.js`);
  const { nodeTracer } = require(`${BUILD_DIR}/adapters/node/trace.js`);
  const { nodeSha256Hex } = require(`${BUILD_DIR}/protocol/sign.js`);
  const { registerMetrics } = require(`${BUILD_DIR}/prometheus/index.js`);
  const { Registry } = require("prom-client");
  const config = configure({
    sdkAppId: SDK_APP_ID,
    handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
  });
  const bytes = new TextEncoder().encode(BODY);
  const input = { method: "POST", url: PATH, request: undefined, readBody: () => Promise.resolve(bytes) };
  const written = (outcome) => outcome;
  const untraced = createCallbackHandle(config, { name: "node", sha256Hex: nodeSha256Hex });
  const traced = createCallbackHandle(config, { name: "node", sha256Hex: nodeSha256Hex, tracer: nodeTracer });
  const ignore = () => {};
  const subscribe = () => {
    diagnosticsChannel.tracingChannel("trtc-room-callbacks:request").subscribe({ asyncEnd: ignore });
    diagnosticsChannel.tracingChannel("trtc-room-callbacks:handler").subscribe({ asyncEnd: ignore });
    return () => {
      diagnosticsChannel.tracingChannel("trtc-room-callbacks:request").unsubscribe({ asyncEnd: ignore });
      diagnosticsChannel.tracingChannel("trtc-room-callbacks:handler").unsubscribe({ asyncEnd: ignore });
    };
  };
  const configs = [
    ["no tracer", untraced, () => ignore],
    ["tracer, none", traced, () => ignore],
    ["subscriber", traced, subscribe],
    ["metrics", traced, () => registerMetrics(new Registry())],
  ];
  const batch = 500;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const best = new Map(configs.map(([name]) => [name, Infinity]));
  for (let round = 0; round < rounds * 4; round++) {
    for (const [name, handle, setUp] of configs) {
      const tearDown = setUp();
      const end = performance.now() + 100;
      while (performance.now() < end) {
        const start = performance.now();
        for (let i = 0; i < batch; i++) {
          const outcome = await handle(input, written);
          if (outcome.status !== 200) throw new Error(`${name}: the core answered ${outcome.status}`);
        }
        const ns = ((performance.now() - start) * 1e6) / batch;
        // Warm-up rounds are not counted.
        if (round >= 4) best.set(name, Math.min(best.get(name), ns));
        await turn();
      }
      tearDown();
    }
  }
  const floor = best.get("no tracer");
  console.log(`\nthe core in-process (ns per request, fastest batch of ${batch}, ${rounds * 4 - 4} rounds)`);
  for (const [name] of configs) {
    const ns = best.get(name);
    console.log(`${name.padEnd(14)} ${ns.toFixed(0).padStart(7)}  x${(ns / floor).toFixed(3)}`);
  }
}
