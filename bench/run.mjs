/**
 * `npm run bench`: compiles the package, then loads three receivers of the
 * same Room callback in alternating rounds with autocannon from this process,
 * each receiver in a process of its own; then times the router's stages and
 * its require time.
 *
 * Options (flag or environment variable):
 *   --rounds N       BENCH_ROUNDS       rounds, each loading every receiver once (default 5, at least 3)
 *   --duration S     BENCH_DURATION     seconds of load per receiver per round (default 4)
 *   --warmup S       BENCH_WARMUP       seconds of unmeasured load per receiver first (default 2)
 *   --connections N  BENCH_CONNECTIONS  keep-alive connections (default 10)
 *   --no-stages      BENCH_STAGES=0     skip the in-process stage timings and require times
 */
import { fork } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import { createRequire } from "node:module";
import autocannon from "autocannon";
import { build } from "./build.mjs";
import { ACK, BODY, HEADERS, PATH } from "./fixture.mjs";
import { forkReceiver, median, withCpuPerRequest } from "./harness.mjs";
import { formatStages } from "./stages.mjs";

const require = createRequire(import.meta.url);
const RECEIVERS = ["raw", "hand-written", "router"];

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    "no-stages": { type: "boolean" },
  },
});

function setting(name, env, fallback, min, max) {
  const text = flags[name] ?? process.env[env];
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} / ${env} must be a number from ${min} to ${max}; got ${text}`);
  }
  return value;
}

const rounds = Math.floor(setting("rounds", "BENCH_ROUNDS", 5, 3, 50));
const duration = setting("duration", "BENCH_DURATION", 4, 1, 60);
const warmup = setting("warmup", "BENCH_WARMUP", 2, 0, 30);
const connections = Math.floor(setting("connections", "BENCH_CONNECTIONS", 10, 1, 256));
const stagesWanted = !flags["no-stages"] && process.env.BENCH_STAGES !== "0";

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

function startReceiver(kind) {
  return forkReceiver(new URL("./receiver.mjs", import.meta.url), [kind], kind);
}

/** One request first: a receiver that answers wrongly must not be timed. */
async function check({ kind, url }) {
  const res = await fetch(url, { method: "POST", headers: HEADERS, body: BODY });
  const text = await res.text();
  if (res.status !== 200 || JSON.stringify(JSON.parse(text)) !== JSON.stringify(ACK)) {
    throw new Error(`the ${kind} receiver answered ${res.status} ${text}`);
  }
}

/** Loads one receiver: requests/s, p50 and p99 latency from every response's own time, and its CPU µs per request. */
function measure({ child, url }, seconds) {
  return withCpuPerRequest(child, () => load(url, seconds));
}

function load(url, seconds) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon(
      { url, method: "POST", headers: HEADERS, body: BODY, connections, pipelining: 1, duration: seconds },
      (error, result) => {
        if (error) return reject(error);
        const failed = result.errors + result.timeouts + result.non2xx;
        if (failed > 0) return reject(new Error(`${failed} failed requests against ${url}`));
        latencies.sort((a, b) => a - b);
        resolve({
          rps: result.requests.total / result.duration,
          p50: percentile(latencies, 50),
          p99: percentile(latencies, 99),
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

function runStages() {
  return new Promise((resolve, reject) => {
    const child = fork(new URL("./stages.mjs", import.meta.url), { stdio: "inherit" });
    child.once("message", resolve);
    child.once("error", reject);
    child.once("exit", (code) => code !== 0 && reject(new Error(`stages exited with ${code}`)));
  });
}

const fmt = (n, digits = 0) => n.toFixed(digits);
const line = (cells, widths) => cells.map((cell, i) => String(cell).padStart(widths[i])).join("  ");

const estimate = RECEIVERS.length * (warmup + rounds * duration) + (stagesWanted ? 10 : 0) + 10;
console.log(`trtc-room-callbacks benchmark: ${RECEIVERS.join(", ")}`);
console.log(
  `node ${process.version}, express ${require("express/package.json").version}, ` +
    `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "unknown"}), load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
);
console.log(
  `${rounds} rounds x ${duration} s per receiver, ${warmup} s warm-up, ${connections} keep-alive connections, ` +
    `${Buffer.byteLength(BODY)}-byte body; about ${Math.ceil(estimate)} s`,
);
console.log(`POST ${PATH}\n`);

const started = performance.now();
build();
const receivers = await Promise.all(RECEIVERS.map(startReceiver));
try {
  for (const receiver of receivers) await check(receiver);
  if (warmup > 0) for (const { url } of receivers) await load(url, warmup);

  const results = Object.fromEntries(RECEIVERS.map((kind) => [kind, []]));
  const widths = [5, 14, 10, 10, 10, 10];
  // CPU µs/req: the receiver process's user + system time over the requests it answered.
  console.log(line(["round", "receiver", "req/s", "p50 ms", "p99 ms", "CPU µs/req"], widths));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no receiver always runs first or last in a round.
    const order = receivers.map((_, i) => receivers[(i + round) % receivers.length]);
    for (const receiver of order) {
      const result = await measure(receiver, duration);
      results[receiver.kind].push(result);
      const { rps, p50, p99, cpuPerRequest } = result;
      console.log(
        line([round + 1, receiver.kind, fmt(rps), fmt(p50, 3), fmt(p99, 3), fmt(cpuPerRequest)], widths),
      );
    }
  }

  const ratios = (a, b, key) => results[a].map((r, i) => r[key] / results[b][i][key]);
  console.log(`\nmedian over ${rounds} rounds`);
  const summary = [14, 10, 10, 10, 10];
  console.log(line(["receiver", "req/s", "p50 ms", "p99 ms", "CPU µs/req"], summary));
  for (const kind of RECEIVERS) {
    const of = (key, digits = 0) => fmt(median(results[kind].map((r) => r[key])), digits);
    console.log(line([kind, of("rps"), of("p50", 3), of("p99", 3), of("cpuPerRequest")], summary));
  }
  const perRound = (a, b) =>
    ratios(a, b, "rps")
      .map((n) => n.toFixed(2))
      .join(" ");
  console.log(
    `\nrouter / hand-written: req/s ${fmt(median(ratios("router", "hand-written", "rps")), 2)} ` +
      `(rounds: ${perRound("router", "hand-written")}), ` +
      `p99 ${fmt(median(ratios("router", "hand-written", "p99")), 2)}, ` +
      `CPU/request ${fmt(median(ratios("router", "hand-written", "cpuPerRequest")), 2)} (lower is better)`,
  );
  console.log(
    `router / raw:          req/s ${fmt(median(ratios("router", "raw", "rps")), 2)} ` +
      `(rounds: ${perRound("router", "raw")}), ` +
      `p99 ${fmt(median(ratios("router", "raw", "p99")), 2)}, ` +
      `CPU/request ${fmt(median(ratios("router", "raw", "cpuPerRequest")), 2)}`,
  );
  const speed = median(ratios("router", "hand-written", "rps"));
  const tail = median(ratios("router", "hand-written", "p99"));
  console.log(
    `target (router / hand-written req/s >= 1.00, p99 no worse): ${speed >= 1 && tail <= 1 ? "met" : "NOT met"}`,
  );
} finally {
  for (const { child } of receivers) child.kill();
}

if (stagesWanted) {
  const { stages, requires } = await runStages();
  console.log(
    `\nrouter stages, in-process (ns per request, fastest batch)\n${formatStages(stages, requires)}`,
  );
}
console.log(`\ndone in ${Math.round((performance.now() - started) / 1000)} s`);
