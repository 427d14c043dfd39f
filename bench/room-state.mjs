/**
 * `node bench/room-state.mjs`: the cost of `rooms.apply` through the Redis store beside the
 * memory store, on the compiled package (compiled first, as the other benchmarks do), with a
 * redis-server of its own on a free loopback port. Simulated meetings (the CLI's generator:
 * create, enters, seats, a kick, an update, a destroy; every room its own) are applied in
 * rounds that alternate between the stores, so both share whatever else the machine is doing:
 * read the ratios. Also times `rooms.get` of a room of a meeting in progress.
 *
 * Options (flag or environment variable):
 *   --rounds N      BENCH_ROUNDS       rounds, each running every store once (default 5, at least 3)
 *   --meetings N    BENCH_MEETINGS     meetings per round and store (default 300)
 *   --concurrency N BENCH_CONCURRENCY  meetings applied at once, each in order (default 8)
 */
import { createRequire } from "node:module";
import os from "node:os";
import { parseArgs } from "node:util";
import { build, built } from "./build.mjs";
import { startRedis } from "./redis.mjs";

const require = createRequire(import.meta.url);

const { values: flags } = parseArgs({
  options: { rounds: { type: "string" }, meetings: { type: "string" }, concurrency: { type: "string" } },
});
function setting(name, env, fallback, min, max) {
  const text = flags[name] ?? process.env[env];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} / ${env} must be a whole number from ${min} to ${max}; got ${text}`);
  }
  return value;
}
const rounds = setting("rounds", "BENCH_ROUNDS", 5, 3, 50);
const meetings = setting("meetings", "BENCH_MEETINGS", 300, 10, 100_000);
const concurrency = setting("concurrency", "BENCH_CONCURRENCY", 8, 1, 256);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

build();
const { createRoomState, memoryRoomStore, redisRoomStore } = require(built("room-state/index"));
const { planMeeting } = require(built("cli/meeting"));
const Redis = require("ioredis");

/** `meetings` meetings of 4 members and 3 seats, each an array of events in order. */
function plan(round) {
  let now = 1_700_000_000_000;
  return Array.from({ length: meetings }, (_, i) =>
    planMeeting({ roomId: `bench-${round}-${i}`, members: 4, seats: 3 }, () => (now += 7)).map(
      (step) => step().event,
    ),
  );
}

/** Applies every meeting (`concurrency` at a time, each in order); per-apply latencies in µs. */
async function run(rooms, list) {
  const latencies = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const events = list[next++];
      for (const event of events) {
        const start = process.hrtime.bigint();
        await rooms.apply(event);
        latencies.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** µs per `rooms.get` of a room holding most of a meeting's events. */
async function timeGet(rooms, events) {
  const roomId = events[0].RoomInfo.RoomId;
  for (const event of events.slice(0, -1)) await rooms.apply(event);
  const samples = [];
  for (let i = 0; i < 500; i++) {
    const start = process.hrtime.bigint();
    await rooms.get(roomId);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  samples.sort((a, b) => a - b);
  return percentile(samples, 50);
}

const redisServer = await startRedis();
const client = new Redis(redisServer.url);
try {
  const stores = {
    memory: () => memoryRoomStore(),
    redis: (round) => redisRoomStore(client, { prefix: `bench${round}:` }),
  };
  const results = { memory: [], redis: [] };
  // An unmeasured warm-up round for each, then alternating measured rounds.
  for (let round = 0; round <= rounds; round++) {
    for (const name of round % 2 ? ["memory", "redis"] : ["redis", "memory"]) {
      const rooms = createRoomState({ store: stores[name](round) });
      const measured = await run(rooms, plan(round));
      measured.getP50 = await timeGet(
        createRoomState({ store: stores[name](`get${round}`) }),
        plan(round)[0],
      );
      if (round > 0) results[name].push(measured);
    }
  }
  const summary = (name) => ({
    perSecond: median(results[name].map((r) => r.perSecond)),
    p50: median(results[name].map((r) => r.p50)),
    p99: median(results[name].map((r) => r.p99)),
    getP50: median(results[name].map((r) => r.getP50)),
  });
  const memory = summary("memory");
  const redis = summary("redis");
  const events = plan(0).flat().length;
  console.log(
    `rooms.apply: ${meetings} meetings (${events} events) per round, ${concurrency} at a time, median of ${rounds} rounds`,
  );
  console.log(
    `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`,
  );
  console.log("store    events/s   p50 apply   p99 apply   p50 get");
  for (const [name, s] of [
    ["memory", memory],
    ["redis", redis],
  ]) {
    console.log(
      `${name.padEnd(6)} ${Math.round(s.perSecond).toLocaleString("en").padStart(10)} ${s.p50.toFixed(0).padStart(8)} µs ${s.p99.toFixed(0).padStart(8)} µs ${s.getP50.toFixed(0).padStart(6)} µs`,
    );
  }
  console.log(
    `redis / memory: ${(redis.perSecond / memory.perSecond).toFixed(2)}× the events per second (per round: ${results.redis
      .map((r, i) => (r.perSecond / results.memory[i].perSecond).toFixed(2))
      .join(", ")}), ${(redis.p99 / memory.p99).toFixed(1)}× the p99`,
  );
} finally {
  await client.quit();
  await redisServer.stop();
}
