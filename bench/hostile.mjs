/**
 * `node --expose-gc bench/hostile.mjs` (`npm run bench:hostile`): the router's worst case over a catalogue of adversarial bodies, each
 * against `JSON.parse` of the same text. Every body fits the default 1 MiB `limit`. Each one is
 * sent through the real core, in process, with the testing kit of the compiled package
 * (compiled first, as the other benchmarks do): query and signature checks, UTF-8 decoding,
 * parsing, validation, a no-op handler, the ack and `onError`. The two are timed in alternating
 * rounds, so both share whatever else the machine is doing: read the ratios, not the
 * milliseconds. The last line is the worst ratio; the goal is at most 3.
 *
 * Options (flag or environment variable):
 *   --rounds N   BENCH_ROUNDS   alternating rounds per body (default 7, at least 3)
 *   --only TEXT  BENCH_ONLY     only the bodies whose name contains TEXT
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { build, built } from "./build.mjs";
import { SDK_APP_ID } from "./fixture.mjs";

const require = createRequire(import.meta.url);

const { values: flags } = parseArgs({ options: { rounds: { type: "string" }, only: { type: "string" } } });
const roundsText = flags.rounds ?? process.env.BENCH_ROUNDS;
const rounds = roundsText === undefined ? 7 : Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 3 || rounds > 100) {
  throw new Error(`--rounds / BENCH_ROUNDS must be a whole number from 3 to 100; got ${roundsText}`);
}
const only = flags.only ?? process.env.BENCH_ONLY ?? "";

const LIMIT = 1024 * 1024;
const MAX_LIST = 10_000;
const enter = "Room.CallbackAfterMemberEnter";
const seats = "Mic.CallbackAfterSeatInfoChanged";

/** `count` copies of `item(i)` joined by commas, as many as fit `budget` characters. */
function fill(item, budget, count = Infinity) {
  const parts = [];
  let size = 0;
  for (let i = 0; i < count; i++) {
    const next = item(i);
    if (size + next.length + 1 > budget) break;
    parts.push(next);
    size += next.length + 1;
  }
  return parts.join(",");
}

/** A body for `command` whose other fields are `fields` (JSON text), padded with nothing. */
const body = (command, fields) => `{"CallbackCommand":"${command}","RoomId":"r1",${fields}}`;
const room = LIMIT - 200;

/** The catalogue: [name, command, body text, whether a handler is registered]. */
const catalogue = [
  [
    "Tencent's sample (for scale)",
    enter,
    body(enter, '"MemberList_Account":["a","b"],"EventTime":1763801234567'),
    true,
  ],
  [
    `${MAX_LIST} seats, every field to convert`,
    seats,
    body(
      seats,
      `"SeatList":[${fill((i) => `{"Index":"${i}","Member_Account":${100000 + i},"IsTakenDisabled":"true","IsVideoDisabled":"FALSE","IsAudioDisabled":null}`, room, MAX_LIST)}]`,
    ),
    true,
  ],
  [
    `${MAX_LIST} tiny seats, one to convert`,
    seats,
    body(seats, `"SeatList":[${fill((i) => (i === MAX_LIST - 1 ? '{"Index":"1"}' : "{}"), room, MAX_LIST)}]`),
    true,
  ],
  ["1 MiB of seats (beyond the bound)", seats, body(seats, `"SeatList":[${fill(() => "{}", room)}]`), true],
  [
    `${MAX_LIST} bare-number user IDs`,
    enter,
    body(enter, `"MemberList_Account":[${fill((i) => String(1_000_000 + i), room, MAX_LIST)}]`),
    true,
  ],
  [
    "1 MiB of bare-number user IDs (beyond)",
    enter,
    body(enter, `"MemberList_Account":[${fill(() => "0", room)}]`),
    true,
  ],
  [
    `${MAX_LIST} seats, the last one invalid`,
    seats,
    body(
      seats,
      `"SeatList":[${fill((i) => (i === MAX_LIST - 1 ? '{"Index":"x"}' : `{"Index":${i}}`), room, MAX_LIST)}]`,
    ),
    true,
  ],
  [
    '"constructor" and 1 MiB of arrays, no handler',
    enter,
    body(enter, `"constructor":1,"X":[${fill(() => "[]", room)}]`),
    false,
  ],
  [
    '"constructor" and 1 MiB of arrays',
    enter,
    body(enter, `"constructor":1,"X":[${fill(() => "[]", room)}]`),
    true,
  ],
  [
    '1 MiB of objects, each with a "constructor"',
    enter,
    body(enter, `"X":[${fill(() => '{"constructor":0}', room)}]`),
    true,
  ],
  [
    '1 MiB of objects, each with "__proto__" in escapes',
    enter,
    body(enter, `"X":[${fill(() => '{"\\u005f_proto__":{}}', room)}]`),
    true,
  ],
  [
    '"__proto__" and 500,000 levels of nesting',
    enter,
    body(enter, `"__proto__":1,"X":${"[".repeat(room / 2 - 10)}${"]".repeat(room / 2 - 10)}`),
    true,
  ],
  ["1 MiB of 16-digit integers", enter, body(enter, `"X":[${fill((i) => String(1e15 + i), room)}]`), true],
  [
    "1 MiB of short numbers and one long",
    enter,
    body(enter, `"X":[1234567890123456789,${fill(() => "1", room)}]`),
    true,
  ],
  ["1 MiB of fractions", enter, body(enter, `"X":[${fill(() => "1.5", room)}]`), true],
  [
    "1 MiB of keys",
    enter,
    body(
      enter,
      fill((i) => `"k${i}":0`, room),
    ),
    true,
  ],
  [
    "1 MiB of escaped strings",
    enter,
    body(enter, `"X":[${fill(() => '"\\u0041\\u0042\\u0043"', room)}]`),
    true,
  ],
  [
    "1 MiB unknown command",
    "X.Unknown",
    `{"CallbackCommand":"X.Unknown","X":[${fill(() => "[]", room)}]}`,
    false,
  ],
  [
    '1 MiB of "constructor": keys that never close',
    enter,
    '{"constructor":'.repeat(Math.floor((1024 * 1024 - 1024) / 15)),
    true,
  ],
  [
    "a 1 MiB numeric string as EventTime",
    enter,
    `{"RoomId":"r1","EventTime":"1.${"0".repeat(1024 * 1024 - 1024)}1"}`,
    true,
  ],
];

/** `JSON.parse`, which refuses an invalid body by throwing: that refusal is what it costs. */
function parseOrRefuse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// With --expose-gc, each call starts from a collected heap, so the garbage one side leaves is
// not collected on the other's clock.
const collect = typeof globalThis.gc === "function" ? globalThis.gc : () => {};

/**
 * Milliseconds of `fn()`, the fastest of `times` calls, each from a collected heap. With
 * `warm`, one call untimed first: the first call after a collection pays ~0.2 ms of cold start
 * that no request among others sees, which would swamp a small body (a large one's own garbage
 * would instead be collected on the timed call's clock).
 */
async function fastest(fn, times, warm) {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    collect();
    if (warm) await fn();
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

build();
const { createCallbackTester } = require(built("testing/index"));
const handler = () => {};
const withHandlers = createCallbackTester({
  sdkAppId: SDK_APP_ID,
  handlers: { [enter]: handler, [seats]: handler },
  timeoutMs: 60_000,
});
const withoutHandlers = createCallbackTester({ sdkAppId: SDK_APP_ID, handlers: {}, timeoutMs: 60_000 });

const rows = [];
for (const [name, command, text, handled] of catalogue) {
  if (!name.includes(only)) continue;
  const bytes = Buffer.from(text);
  if (bytes.length > LIMIT) throw new Error(`${name}: ${bytes.length} bytes, beyond the 1 MiB limit`);
  const tester = handled ? withHandlers : withoutHandlers;
  const send = () => tester.post(bytes, { command });
  const first = await send();
  const answer = first.ok ? "200 OK" : `${first.status} ${first.ack.ErrorCode}`;
  // Small bodies are timed in batches, so a single call's timer resolution does not decide.
  const batch = bytes.length < 10_000 ? 200 : 1;
  const warm = bytes.length < 256 * 1024;
  const router = [];
  const parse = [];
  for (let round = 0; round < rounds; round++) {
    router.push(
      await fastest(
        async () => {
          for (let i = 0; i < batch; i++) await send();
        },
        3,
        warm,
      ),
    );
    parse.push(
      await fastest(
        () => {
          for (let i = 0; i < batch; i++) parseOrRefuse(text);
        },
        3,
        warm,
      ),
    );
  }
  const best = (values) => Math.min(...values) / batch;
  const ratio = best(router) / best(parse);
  rows.push({
    body: name,
    bytes: bytes.length,
    answer,
    "router ms": best(router),
    "JSON.parse ms": best(parse),
    ratio,
  });
}

const format = (n) => (n >= 10 ? n.toFixed(1) : n >= 0.1 ? n.toFixed(2) : n.toFixed(4));
console.table(
  rows.map((row) => ({
    ...row,
    "router ms": format(row["router ms"]),
    "JSON.parse ms": format(row["JSON.parse ms"]),
    ratio: `${row.ratio.toFixed(2)}x`,
  })),
);
const large = rows.filter((row) => row.bytes >= 64 * 1024);
const worst = large.reduce((a, b) => (b.ratio > a.ratio ? b : a), large[0] ?? { ratio: NaN, body: "none" });
console.log(
  `worst ratio over bodies of 64 KiB or more: ${worst.ratio.toFixed(2)}x (${worst.body}); goal: at most 3x` +
    ` (node ${process.version}, best of ${rounds} alternating rounds)`,
);
