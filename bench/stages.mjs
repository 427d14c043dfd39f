/**
 * Per-request cost of the router's stages, timed in-process on the compiled
 * package (the benchmark compiles it first), and the package's `require` time.
 * `node bench/stages.mjs` prints a table; the benchmark runs it as a child
 * and reads the same numbers over IPC.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import { Duplex } from "node:stream";
import { build, built } from "./build.mjs";
import { ACK, BODY, PATH, SDK_APP_ID } from "./fixture.mjs";

const require = createRequire(import.meta.url);
const lib = (name) => require(built(name));

const COMMAND = "Room.CallbackAfterMemberEnter";

/**
 * Nanoseconds per call of `fn`: the fastest of the batches run for about `ms`
 * milliseconds. On a shared machine the fastest batch is the one least
 * disturbed by other processes, so it is the steadiest estimate of the cost.
 */
async function measure(fn, { async = false, ms = 400, batch = 500 } = {}) {
  let sink = 0;
  const run = async () => {
    const start = performance.now();
    if (async) for (let i = 0; i < batch; i++) sink ^= (await fn()) === undefined ? 1 : 0;
    else for (let i = 0; i < batch; i++) sink ^= fn() === undefined ? 1 : 0;
    return ((performance.now() - start) * 1e6) / batch;
  };
  // Between batches, let the event loop turn: ticks, timers and I/O callbacks queued meanwhile run there.
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 20; i++) await run().then(turn);
  let best = Infinity;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    best = Math.min(best, await run());
    await turn();
  }
  if (sink === -1) throw new Error("unreachable: keeps the results alive");
  return best;
}

/** A response on a socket that swallows what is written, to time the ack without a network. */
function responseFactory() {
  const socket = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback();
    },
    writev(_chunks, callback) {
      callback();
    },
  });
  const req = new http.IncomingMessage(socket);
  req.method = "POST";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  return (write) => {
    const res = new http.ServerResponse(req);
    res.assignSocket(socket);
    write(res);
    // `end()` corks the socket until the next tick; flush now, or a tight loop buffers every response.
    socket.uncork();
    res.detachSocket(socket);
  };
}

export async function measureStages() {
  const { parseQuery } = lib("protocol/query");
  const { parseJson } = lib("protocol/json");
  const { nodeSha256Hex } = lib("protocol/sign");
  const { decodeBody } = lib("core/parse-body");
  const { validateEvent } = lib("core/validate");
  const { runHandler } = lib("core/run-handler");
  const { Deadline } = lib("core/deadline");
  const { writeOutcome } = lib("adapters/node/write-outcome");
  const { OK } = lib("core/outcome");
  const { createCallbackHandle } = lib("core/handle");
  const { configure } = lib("core/options");

  const bytes = Buffer.from(BODY);
  const parsed = parseJson(BODY);
  const event = validateEvent(COMMAND, parsed);
  const handler = async () => {};
  const respond = responseFactory();
  const ackBody = JSON.stringify(ACK);
  const config = configure({ sdkAppId: SDK_APP_ID, handlers: { [COMMAND]: handler } });
  const handle = createCallbackHandle(config, { name: "node", sha256Hex: nodeSha256Hex });

  const stages = [
    {
      stage: "query",
      what: "parseQuery + SdkAppid/command lookups",
      ns: await measure(() => {
        const query = parseQuery(PATH);
        return query.get("sdkappid") === String(SDK_APP_ID) && query.get("callbackcommand");
      }),
    },
    {
      stage: "parse",
      what: "decodeBody (strict UTF-8) + parseJson",
      ns: await measure(() => parseJson(decodeBody(bytes))),
    },
    {
      stage: "validate",
      what: "validateEvent (schema, normalise)",
      ns: await measure(() => validateEvent(COMMAND, parsed)),
    },
    {
      stage: "dispatch",
      what: "Deadline + runHandler(async no-op) + clear",
      ns: await measure(
        async () => {
          const deadline = new Deadline(1500);
          await runHandler(() => handler(event), COMMAND, deadline, { timedOut() {}, late() {} });
          deadline.clear();
        },
        { async: true },
      ),
    },
    {
      stage: "ack",
      what: "writeOutcome(OK) on a ServerResponse",
      ns: await measure(() => respond((res) => writeOutcome(res, OK))),
    },
    {
      stage: "(ack floor)",
      what: "writeHead + end(JSON.stringify) on the same",
      ns: await measure(() =>
        respond((res) => {
          const body = JSON.stringify(ACK);
          res.writeHead(200, { "Content-Type": "application/json", "Content-Length": ackBody.length });
          res.end(body);
        }),
      ),
    },
    {
      stage: "core",
      what: "createCallbackHandle end to end, body in memory",
      ns: await measure(
        async () => {
          const outcome = await handle(
            { method: "POST", url: PATH, request: undefined, readBody: () => Promise.resolve(bytes) },
            (written) => written,
          );
          if (outcome !== OK) throw new Error(`the core answered ${JSON.stringify(outcome)}`);
        },
        { async: true },
      ),
    },
  ];
  return stages;
}

/** Milliseconds to `require` each module in a fresh process, median of `runs`. */
export function measureRequireTimes(runs = 5) {
  const modules = [
    ["trtc-room-callbacks", built("index")],
    ["  of which joi", require.resolve("joi")],
    ["express (for scale)", require.resolve("express")],
  ];
  return modules.map(([name, path]) => {
    const script = `const t=performance.now();require(${JSON.stringify(path)});process.stdout.write(String(performance.now()-t))`;
    const times = [];
    for (let i = 0; i < runs; i++) times.push(Number(execFileSync(process.execPath, ["-e", script])));
    times.sort((a, b) => a - b);
    return { module: name, ms: times[times.length >> 1] };
  });
}

export function formatStages(stages, requires) {
  const lines = ["stage         ns/request  what", "-----------   ----------  ----"];
  for (const { stage, what, ns } of stages) {
    lines.push(`${stage.padEnd(13)} ${ns.toFixed(0).padStart(10)}  ${what}`);
  }
  lines.push("", "require time (fresh process, median)", "------------------------------------");
  for (const { module, ms } of requires) lines.push(`${module.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Run alone, compile first; under the benchmark, it already has.
  if (!process.send) build();
  const stages = await measureStages();
  const requires = measureRequireTimes();
  if (process.send) process.send({ stages, requires });
  else process.stdout.write(`${formatStages(stages, requires)}\n`);
}
