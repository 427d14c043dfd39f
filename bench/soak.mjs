/**
 * Soak test: 100,000 callbacks through one router over keep-alive
 * connections, then heap growth after GC, and a check that the process exits
 * promptly once the server is closed (no timer or listener left behind).
 *
 *   npm run soak            (builds dist/, then runs this with --expose-gc)
 *   SOAK_TOTAL=20000 node --expose-gc bench/soak.mjs
 *
 * Most callbacks are valid; one in 20 is not JSON (400) and one in 20 makes
 * the handler throw (FAIL 5000), so the failure paths are soaked too. Exits 1
 * when a response is not the expected ack, when onError does not see every
 * failure, or when the process does not exit within a second of closing.
 */
import http from "node:http";
import express from "express";
import { createCallbackRouter } from "../dist/index.js";

const TOTAL = Number(process.env.SOAK_TOTAL ?? 100_000);
const WARMUP = Math.min(5_000, Math.floor(TOTAL / 10));
const CONCURRENCY = 64;
const SDK_APP_ID = 1400000001;
const COMMAND = "Room.CallbackAfterMemberEnter";
const PATH = `/trtc?${new URLSearchParams({
  SdkAppid: String(SDK_APP_ID),
  CallbackCommand: COMMAND,
  contenttype: "json",
  ClientIP: "1.2.3.4",
  OptPlatform: "Web",
})}`;
const OK = '{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';

if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc (npm run soak does)");
  process.exit(2);
}

let handled = 0;
let reported = 0;
const app = express();
app.use(
  "/trtc",
  createCallbackRouter({
    sdkAppId: SDK_APP_ID,
    handlers: {
      [COMMAND]: async (event) => {
        if (event.RoomId === "fail") throw new Error("planned failure");
        handled++;
      },
    },
    onError: () => void reported++,
  }),
);

/** The i-th callback: its body and the status and ack it must get. */
function callback(i) {
  if (i % 20 === 0) return { body: `{"RoomId":"r${i}",`, status: 400, code: 4001 };
  if (i % 20 === 1)
    return { body: JSON.stringify({ CallbackCommand: COMMAND, RoomId: "fail" }), status: 200, code: 5000 };
  // The second member is an 18-digit ID sent as a bare number, as Tencent's seat sample does.
  const body = `{"CallbackCommand":"${COMMAND}","Operator_Account":"user${i}","RoomId":"room-${i % 500}","MemberCount":${i % 300},"Type":"Enter","MemberList_Account":["user${i}",${144115233775727695n + BigInt(i)}],"EventTime":${1670574414123 + i}}`;
  return { body, status: 200, code: 0 };
}

function post(port, agent, i) {
  const { body, status, code } = callback(i);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: PATH,
        method: "POST",
        agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          let good = res.statusCode === status;
          if (good && code === 0) good = text === OK;
          else if (good) good = JSON.parse(text).ErrorCode === code;
          resolve(good ? "ok" : `unexpected ${res.statusCode} ${text.slice(0, 120)}`);
        });
      },
    );
    req.on("error", (error) => resolve(`transport ${error.code ?? error.message}`));
    req.end(body);
  });
}

/** Sends callbacks [from, to) with CONCURRENCY in flight; returns the failures by kind. */
async function run(port, agent, from, to) {
  const errors = new Map();
  let next = from;
  const worker = async () => {
    while (next < to) {
      const outcome = await post(port, agent, next++);
      if (outcome !== "ok") errors.set(outcome, (errors.get(outcome) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return errors;
}

function heapAfterGc() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

const server = await new Promise((resolve) => {
  const s = app.listen(0, "127.0.0.1", () => resolve(s));
});
const { port } = server.address();
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

await run(port, agent, 0, WARMUP);
const heapBefore = heapAfterGc();
const failuresBefore = reported;
const started = process.hrtime.bigint();
const errors = await run(port, agent, WARMUP, WARMUP + TOTAL);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// Let the last reports land before counting them.
await new Promise((resolve) => setImmediate(resolve));
const heapAfter = heapAfterGc();

const errorCount = [...errors.values()].reduce((sum, n) => sum + n, 0);
const expectedFailures = Array.from({ length: TOTAL }, (_, k) => (WARMUP + k) % 20 < 2).filter(
  Boolean,
).length;
const reportedFailures = reported - failuresBefore;
const sockets =
  new Set(Object.values(agent.sockets).flat()).size + new Set(Object.values(agent.freeSockets).flat()).size;

console.log(
  `node ${process.version}, ${TOTAL} callbacks after ${WARMUP} warm-up, ${CONCURRENCY} in flight over ${sockets} keep-alive connections`,
);
console.log(`throughput      ${Math.round(TOTAL / seconds)} callbacks/s (${seconds.toFixed(2)} s)`);
console.log(
  `errors          ${errorCount}${errorCount ? ` ${JSON.stringify(Object.fromEntries(errors))}` : ""}`,
);
console.log(
  `handled         ${handled} OK in total; ${reportedFailures} failures reported to onError (expected ${expectedFailures})`,
);
console.log(
  `heap after GC   ${mb(heapBefore)} -> ${mb(heapAfter)}: growth ${mb(heapAfter - heapBefore)} (${((heapAfter - heapBefore) / TOTAL).toFixed(1)} bytes per callback)`,
);

agent.destroy();
const closedAt = Date.now();
server.close(() => console.log(`server closed   after ${Date.now() - closedAt} ms`));
server.closeAllConnections();

// Unreferenced: fires only if something else keeps the process alive.
let stuck = false;
const watchdog = setTimeout(() => {
  stuck = true;
  console.log(
    `exit            FAILED: still running ${Date.now() - closedAt} ms after close; active: ${process.getActiveResourcesInfo().join(", ")}`,
  );
  process.exit(1);
}, 1000);
watchdog.unref();

process.on("exit", () => {
  const ok = errorCount === 0 && reportedFailures === expectedFailures && !stuck;
  console.log(`exit            ${Date.now() - closedAt} ms after close; ${ok ? "PASS" : "FAIL"}`);
  if (!ok) process.exitCode = 1;
});
