/**
 * What the HTTP benchmarks share: receivers forked as processes of their own
 * that report their port, their CPU counters read over IPC, one autocannon
 * load, and the median of a round's figures.
 */
import { fork } from "node:child_process";
import autocannon from "autocannon";
import { BODY, HEADERS, PATH } from "./fixture.mjs";

/** The median; the mean of the middle two for an even count. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Forks `script` with `args` as the receiver `kind`; resolves once it sends
 * `{ port }`, with the URL of the callback path on it.
 */
export function forkReceiver(script, args, kind) {
  const child = fork(script, args, { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the ${kind} receiver exited with ${code}`)));
    child.once("message", ({ port }) => resolve({ kind, child, url: `http://127.0.0.1:${port}${PATH}` }));
  });
}

/** A receiver's `{ cpu, requests }` counters, asked for over IPC. */
export function askUsage(child) {
  return new Promise((resolve) => {
    child.once("message", resolve);
    child.send("usage");
  });
}

/** Loads `url` with the callback for `seconds`; resolves to its requests per second, rejects on any failure. */
export function loadRps(url, seconds, connections) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: "POST", headers: HEADERS, body: BODY, connections, pipelining: 1, duration: seconds },
      (error, result) => {
        if (error) return reject(error);
        const failed = result.errors + result.timeouts + result.non2xx;
        if (failed > 0) return reject(new Error(`${failed} failed requests against ${url}`));
        resolve({ rps: result.requests.total / result.duration });
      },
    );
  });
}

/** Runs `work` and adds the receiver's CPU µs per request over it to its result. */
export async function withCpuPerRequest(child, work) {
  const before = await askUsage(child);
  const result = await work();
  const after = await askUsage(child);
  const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return { ...result, cpuPerRequest: cpu / (after.requests - before.requests) };
}
