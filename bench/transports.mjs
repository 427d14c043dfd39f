/**
 * `node bench/transports.mjs`: the package's transports against what a user
 * writes by hand on the same framework, each receiver in a process of its
 * own, loaded with autocannon from this process in alternating rounds:
 *
 *   createCallbackListener on node:http     vs a raw node:http receiver   (goal >= 0.8x)
 *   the Fastify plugin                      vs a Fastify route            (goal >= 1.0x)
 *   the fetch handler on @hono/node-server  vs a Hono route               (goal >= 1.0x)
 *
 * The package is compiled first and loaded by its public entries (index,
 * fetch/index, fastify/index) from the compiled output.
 *
 * Options (flag or environment variable):
 *   --rounds N       BENCH_ROUNDS       rounds, each loading every receiver once (default 5, at least 3)
 *   --duration S     BENCH_DURATION     seconds of load per receiver per round (default 3)
 *   --warmup S       BENCH_WARMUP       seconds of unmeasured load per receiver first (default 2)
 *   --connections N  BENCH_CONNECTIONS  keep-alive connections (default 10)
 *   --only A,B       BENCH_ONLY         only these pairs: node, fastify, hono
 *
 * Run one receiver alone (for --cpu-prof): `node bench/transports.mjs --receiver fastify-plugin`.
 */
import http from "node:http";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build, built } from "./build.mjs";
import { ACK, BODY, HEADERS, PATH, SDK_APP_ID } from "./fixture.mjs";
import { forkReceiver, loadRps, median, withCpuPerRequest } from "./harness.mjs";

const OPTIONS = { sdkAppId: SDK_APP_ID, handlers: { "Room.CallbackAfterMemberEnter": async () => {} } };
const load = async (entry) => import(pathToFileURL(built(entry)).href);

/** Each receiver returns a listening-ready node:http server (or Fastify's). */
const receivers = {
  // The floor any Node receiver pays: read the body, parse it, write the ack.
  "node-raw": () =>
    http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (chunk) => chunks.push(chunk));
      req.on("end", () => {
        JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const body = JSON.stringify(ACK);
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
        res.end(body);
      });
    }),
  "node-listener": async () => {
    const { createCallbackListener } = await load("index");
    return http.createServer(createCallbackListener(OPTIONS));
  },
  "fastify-route": async () => {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    app.post("/trtc", (_request, reply) => reply.send(ACK));
    await app.ready();
    return app.server;
  },
  "fastify-plugin": async () => {
    const { default: Fastify } = await import("fastify");
    const { trtcRoomCallbacks } = await load("fastify/index");
    const app = Fastify();
    await app.register(trtcRoomCallbacks, { prefix: "/trtc", ...OPTIONS });
    await app.ready();
    return app.server;
  },
  "hono-route": async () => {
    const { Hono } = await import("hono");
    const app = new Hono();
    app.post("/trtc", async (c) => {
      await c.req.json();
      return c.json(ACK);
    });
    return honoServer(app);
  },
  "hono-fetch": async () => {
    const { Hono } = await import("hono");
    const { createCallbackFetchHandler } = await load("fetch/index");
    const handler = createCallbackFetchHandler(OPTIONS);
    const app = new Hono();
    app.post("/trtc", (c) => handler(c.req.raw));
    return honoServer(app);
  },
};

async function honoServer(app) {
  const { createAdaptorServer } = await import("@hono/node-server");
  return createAdaptorServer({ fetch: app.fetch });
}

/** [package, hand-written, goal] */
const PAIRS = {
  node: ["node-listener", "node-raw", 0.8],
  fastify: ["fastify-plugin", "fastify-route", 1.0],
  hono: ["hono-fetch", "hono-route", 1.0],
};

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    only: { type: "string" },
    receiver: { type: "string" },
  },
});

if (flags.receiver !== undefined) await serveReceiver(flags.receiver);
else await benchmark();

async function serveReceiver(kind) {
  const create = receivers[kind];
  if (create === undefined) {
    process.stderr.write(`unknown receiver ${kind}: ${Object.keys(receivers).join(", ")}\n`);
    process.exit(2);
  }
  const server = await create();
  server.keepAliveTimeout = 60_000;
  let requests = 0;
  server.on("request", () => requests++);
  process.on("message", (message) => {
    if (message === "usage") process.send({ cpu: process.cpuUsage(), requests });
  });
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    if (process.send) process.send({ port });
    else process.stdout.write(`${kind} receiver on http://127.0.0.1:${port}${PATH}\n`);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
  process.on("disconnect", () => process.exit(0));
}

function setting(name, env, fallback, min, max) {
  const text = flags[name] ?? process.env[env];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} / ${env} must be a number from ${min} to ${max}; got ${text}`);
  }
  return value;
}

async function benchmark() {
  const rounds = Math.floor(setting("rounds", "BENCH_ROUNDS", 5, 3, 50));
  const duration = setting("duration", "BENCH_DURATION", 3, 1, 60);
  const warmup = setting("warmup", "BENCH_WARMUP", 2, 0, 30);
  const connections = Math.floor(setting("connections", "BENCH_CONNECTIONS", 10, 1, 256));
  const only = (flags.only ?? process.env.BENCH_ONLY ?? Object.keys(PAIRS).join(",")).split(",");
  for (const name of only) {
    if (!(name in PAIRS)) throw new Error(`--only takes ${Object.keys(PAIRS).join(", ")}; got ${name}`);
  }
  const pairs = only.map((name) => [name, ...PAIRS[name]]);
  const kinds = pairs.flatMap(([, mine, theirs]) => [mine, theirs]);

  const start = (kind) => forkReceiver(new URL(import.meta.url), ["--receiver", kind], kind);
  const hammer = (url, seconds) => loadRps(url, seconds, connections);
  const measure = async ({ child, url }) => {
    const { rps, cpuPerRequest } = await withCpuPerRequest(child, () => hammer(url, duration));
    return { rps, cpu: cpuPerRequest };
  };

  console.log(`trtc-room-callbacks transports benchmark: ${pairs.map(([name]) => name).join(", ")}`);
  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "unknown"}), ` +
      `load average ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(" ")}`,
  );
  console.log(
    `${rounds} rounds x ${duration} s per receiver, ${warmup} s warm-up, ${connections} keep-alive connections, ` +
      `${Buffer.byteLength(BODY)}-byte body; about ${Math.ceil(kinds.length * (warmup + rounds * duration) + 10)} s\n`,
  );
  build();
  const running = await Promise.all(kinds.map(start));
  try {
    for (const { kind, url } of running) {
      const res = await fetch(url, { method: "POST", headers: HEADERS, body: BODY });
      const text = await res.text();
      if (res.status !== 200 || JSON.stringify(JSON.parse(text)) !== JSON.stringify(ACK)) {
        throw new Error(`the ${kind} receiver answered ${res.status} ${text}`);
      }
    }
    if (warmup > 0) for (const { url } of running) await hammer(url, warmup);
    const results = Object.fromEntries(kinds.map((kind) => [kind, []]));
    const pad = (cells, widths) => cells.map((cell, i) => String(cell).padStart(widths[i])).join("  ");
    const widths = [5, 15, 10, 11];
    console.log(pad(["round", "receiver", "req/s", "CPU µs/req"], widths));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so no receiver always runs first or last in a round.
      const order = running.map((_, i) => running[(i + round) % running.length]);
      for (const receiver of order) {
        const result = await measure(receiver);
        results[receiver.kind].push(result);
        console.log(pad([round + 1, receiver.kind, result.rps.toFixed(0), result.cpu.toFixed(1)], widths));
      }
    }
    console.log(
      `\nmedian of per-round ratios over ${rounds} rounds (req/s; CPU per request, lower is better)`,
    );
    let met = true;
    for (const [name, mine, theirs, goal] of pairs) {
      const ratios = results[mine].map((r, i) => r.rps / results[theirs][i].rps);
      const cpu = results[mine].map((r, i) => r.cpu / results[theirs][i].cpu);
      const ratio = median(ratios);
      met &&= ratio >= goal;
      console.log(
        `${name.padEnd(8)} ${mine} / ${theirs}: req/s ${ratio.toFixed(2)} (rounds: ${ratios
          .map((n) => n.toFixed(2))
          .join(" ")}), CPU/request ${median(cpu).toFixed(2)}; goal >= ${goal.toFixed(1)}: ${
          ratio >= goal ? "met" : "NOT met"
        }`,
      );
    }
    console.log(`\nall goals ${met ? "met" : "NOT met"}`);
  } finally {
    for (const { child } of running) child.kill();
  }
}
