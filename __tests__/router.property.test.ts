import express from "express";
import fc from "fast-check";
import { isUtf8 } from "node:buffer";
import { Agent } from "node:http";
import {
  CallbackError,
  COMMAND_NAMES,
  createCallbackRouter,
  sign,
  TrtcCallbackError,
  type CallbackRouterOptions,
} from "../lib";
import { samples, type SampleCommand } from "./helpers/fixtures";
import { ackOf, send, serve, type Served } from "./helpers/raw-client";
import { SDK_APP_ID } from "./helpers/server";

/**
 * Random queries, headers and bodies against three routers, checking the
 * invariants of the router's contract on every response. Seeded, so a failure
 * reproduces: FC_SEED=<seed printed by fast-check> npx jest router.property
 */
const SEED = Number(process.env["FC_SEED"] ?? 20261122);
const NUM_RUNS = Number(process.env["FC_RUNS"] ?? 150);
const TOKEN = "secret-token";
/** Mounts a, b and c: generous, so a busy machine never turns a planned OK into a 5002. */
const TIMEOUT_MS = 5000;
/** Mount d, which gets the plans that outlive their deadline. */
const SHORT_TIMEOUT_MS = 40;
const RAW_BODY_CAP = 100;

const OLD_UPDATE = "Room.CallbackUpdateRoomInfo";
const ALL = COMMAND_NAMES as readonly string[];
/** Commands with a handler on mount "a"; the other two are acked OK unhandled. */
const HANDLED_ON_A = new Set<string>([
  "Room.CallbackAfterCreateRoom",
  "Room.CallbackAfterMemberEnter",
  "Room.CallbackAfterMemberLeave",
  "Mic.CallbackAfterSeatInfoChanged",
]);
/** Whether a router has something to call for `command`: "b" has onUnknownCommand, "c" and "d" all six handlers. */
function isHandled(mount: string, command: string): boolean {
  if (mount === "a") return HANDLED_ON_A.has(canonical(command));
  return mount === "b" || ALL.includes(canonical(command));
}
const canonical = (name: string) => (name === OLD_UPDATE ? "Room.CallbackAfterUpdateRoomInfo" : name);

/** What the handler does, chosen per request and sent in the `x-plan` header. */
type Plan =
  | "resolve"
  | "resolve-async"
  | "throw"
  | "reject"
  | "throw-string"
  | "hang"
  | "late-reject"
  | "thenable-twice"
  | `callback-error:${number}`;

const HANDLER_FAILURE_CODES = new Set([5000, 5001, 5002]);

function expectedAck(plan: Plan) {
  if (plan === "resolve" || plan === "resolve-async" || plan === "thenable-twice") {
    return { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
  }
  if (plan.startsWith("callback-error:")) {
    const code = Number(plan.slice("callback-error:".length));
    return { ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: `planned failure ${code}` };
  }
  if (plan === "hang" || plan === "late-reject") {
    return { ActionStatus: "FAIL", ErrorCode: 5002, ErrorInfo: expect.any(String) as unknown as string };
  }
  return { ActionStatus: "FAIL", ErrorCode: 5000, ErrorInfo: "the callback handler failed" };
}

function act(plan: Plan): unknown {
  switch (plan) {
    case "resolve":
      return undefined;
    case "resolve-async":
      return new Promise((resolve) => setImmediate(resolve));
    case "throw":
      throw new Error("planned");
    case "reject":
      return Promise.reject(new Error("planned"));
    case "throw-string":
      throw "planned";
    case "hang":
      return new Promise(() => undefined);
    case "late-reject":
      return new Promise((_, reject) => setTimeout(() => reject(new Error("late")), SHORT_TIMEOUT_MS + 20));
    case "thenable-twice":
      return {
        then(fulfil: () => void, reject: (error: unknown) => void) {
          fulfil();
          reject(new Error("second"));
          fulfil();
        },
      };
    default: {
      const code = Number(plan.slice("callback-error:".length));
      throw new CallbackError(`planned failure ${code}`, { code });
    }
  }
}

interface Seen {
  handlerCalls: number;
  errors: TrtcCallbackError[];
  rawBodies: (string | undefined)[];
  heads: number;
  finished: Promise<void>;
}

const seen = new Map<string, Seen>();
const idOf = (req: express.Request) => String(req.headers["x-id"]);

function record(req: express.Request): Seen {
  const id = idOf(req);
  let entry = seen.get(id);
  if (!entry) {
    entry = { handlerCalls: 0, errors: [], rawBodies: [], heads: 0, finished: Promise.resolve() };
    seen.set(id, entry);
  }
  return entry;
}

function handler(_event: unknown, context: { request: express.Request }): unknown {
  record(context.request).handlerCalls++;
  return act(String(context.request.headers["x-plan"]) as Plan);
}

function buildApp() {
  const app = express();
  // Counts status lines written per request: Node calls writeHead for implicit headers too.
  app.use((req, res, next) => {
    const entry = record(req);
    const writeHead = res.writeHead;
    res.writeHead = function (this: express.Response, ...args: unknown[]) {
      entry.heads++;
      return (writeHead as (...a: unknown[]) => express.Response).apply(this, args);
    } as typeof res.writeHead;
    entry.finished = new Promise((resolve) => res.on("close", () => resolve()));
    next();
  });
  const onError = (
    error: TrtcCallbackError,
    info: { request: express.Request; rawBody?: string | undefined },
  ) => {
    record(info.request).errors.push(error);
    record(info.request).rawBodies.push(info.rawBody);
  };
  const all = Object.fromEntries(ALL.map((command) => [command, handler]));
  app.use(
    "/a",
    createRouter({
      handlers: Object.fromEntries([...HANDLED_ON_A].map((command) => [command, handler])),
      limit: 2048,
      rawBodyCap: RAW_BODY_CAP,
      onError,
    }),
  );
  app.use(
    "/b",
    createRouter({ handlers: all, onUnknownCommand: handler, rawBodyCap: RAW_BODY_CAP, onError }),
  );
  app.use("/c", createRouter({ handlers: all, token: TOKEN, rawBodyCap: RAW_BODY_CAP, onError }));
  app.use(
    "/d",
    createRouter({ handlers: all, timeoutMs: SHORT_TIMEOUT_MS, rawBodyCap: RAW_BODY_CAP, onError }),
  );
  // Reached only if a router called next(): the documented statuses exclude 404.
  app.use((_req, res) => void res.status(404).end());
  return app;
}

function createRouter(options: Partial<CallbackRouterOptions<express.Request>>) {
  return createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, timeoutMs: TIMEOUT_MS, ...options });
}

// ---- arbitraries ---------------------------------------------------------

const caseOf = (name: string) =>
  fc.constantFrom(name, name.toLowerCase(), name.toUpperCase(), name[0]!.toLowerCase() + name.slice(1));

/** The command a request is about; query and body mostly agree on it, sometimes not. */
const commandArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ALL, OLD_UPDATE) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "Room.CallbackAfterSomethingNew",
      "Mic.Unknown",
      "__proto__",
      "constructor",
      "toString",
    ),
  },
);
const strayCommand = fc.oneof(
  fc.constantFrom(...ALL, OLD_UPDATE, "Room.CallbackAfterSomethingNew", ""),
  fc.string({ maxLength: 20 }),
);

type Param = [string, string];

const sdkAppIdParams: fc.Arbitrary<Param[]> = fc.oneof(
  { weight: 30, arbitrary: caseOf("SdkAppid").map((key): Param[] => [[key, String(SDK_APP_ID)]]) },
  { weight: 1, arbitrary: fc.constant<Param[]>([]) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom("", "1400000002", `0${SDK_APP_ID}`, `${SDK_APP_ID} `),
        fc.string({ maxLength: 12 }),
      )
      .map((value): Param[] => [["SdkAppid", value]]),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Param[]>([
      ["SdkAppid", String(SDK_APP_ID)],
      ["sdkappid", String(SDK_APP_ID)],
    ]),
  },
);

function commandParams(command: string): fc.Arbitrary<Param[]> {
  return fc.oneof(
    { weight: 8, arbitrary: caseOf("CallbackCommand").map((key): Param[] => [[key, command]]) },
    { weight: 2, arbitrary: fc.constant<Param[]>([]) },
    { weight: 1, arbitrary: strayCommand.map((value): Param[] => [["CallbackCommand", value]]) },
    {
      weight: 1,
      arbitrary: strayCommand.map((value): Param[] => [
        ["CallbackCommand", command],
        ["callbackcommand", value],
      ]),
    },
  );
}

type SignPlan = "valid" | "none" | "wrong" | "malformed" | "expired" | "no-time";
const signPlan = fc.oneof(
  { weight: 10, arbitrary: fc.constant<SignPlan>("valid") },
  { weight: 1, arbitrary: fc.constantFrom<SignPlan>("none", "wrong", "malformed", "expired", "no-time") },
);

function signParams(plan: SignPlan): Param[] {
  const now = Math.floor(Date.now() / 1000);
  switch (plan) {
    case "valid":
      return [
        ["Sign", sign(TOKEN, now)],
        ["RequestTime", String(now)],
      ];
    case "none":
      return [];
    case "wrong":
      return [
        ["Sign", sign("other", now)],
        ["RequestTime", String(now)],
      ];
    case "malformed":
      return [
        ["Sign", "xyz"],
        ["RequestTime", "soon"],
      ];
    case "expired":
      return [
        ["Sign", sign(TOKEN, now - 120)],
        ["RequestTime", String(now - 120)],
      ];
    case "no-time":
      return [["Sign", sign(TOKEN, now)]];
  }
}

const RESERVED = new Set(["sdkappid", "callbackcommand", "sign", "requesttime"]);
const extraParams: fc.Arbitrary<Param[]> = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom("contenttype", "ClientIP", "OptPlatform", "x"), fc.string({ maxLength: 8 })),
    fc.oneof(fc.constantFrom("json", "0.0.0.0", "RESTAPI", "Harmony"), fc.string({ maxLength: 16 })),
  ),
  { maxLength: 4 },
);
/** Raw query fragments a broken client may send: lone `%`, bad escapes, empty pairs. */
const rawNoise = fc.array(fc.constantFrom("%", "%zz", "%E0%A4%A", "+", "=", "&", "==", "a=%", "%00"), {
  maxLength: 3,
});

const encode = ([key, value]: Param) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;

interface QueryPlan {
  sdk: Param[];
  command: Param[];
  sign: SignPlan;
  extra: Param[];
  noise: string[];
}
const queryPlan = (command: string): fc.Arbitrary<QueryPlan> =>
  fc.record({
    sdk: sdkAppIdParams,
    command: commandParams(command),
    sign: signPlan,
    extra: extraParams.map((params) => params.filter(([key]) => !RESERVED.has(key.toLowerCase()))),
    noise: rawNoise,
  });

function renderQuery(plan: QueryPlan, mount: string): string {
  const parts = [
    ...plan.extra.slice(0, 2).map(encode),
    ...plan.sdk.map(encode),
    ...plan.command.map(encode),
    ...(mount === "c" ? signParams(plan.sign).map(encode) : []),
    ...plan.extra.slice(2).map(encode),
    ...plan.noise,
  ];
  return parts.join("&");
}

/** The documented sample for `command` (valid JSON text, its 18-digit ID a bare number), or a minimal body. */
function sampleFor(command: string): string {
  if (command === OLD_UPDATE) {
    return samples["Room.CallbackAfterUpdateRoomInfo"].replace(
      "Room.CallbackAfterUpdateRoomInfo",
      OLD_UPDATE,
    );
  }
  if (Object.hasOwn(samples, command)) return samples[command as SampleCommand];
  return JSON.stringify({ CallbackCommand: command, RoomId: "r" });
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

function bodyArb(command: string): fc.Arbitrary<Buffer> {
  const sample = sampleFor(command);
  return fc
    .oneof(
      { weight: 10, arbitrary: fc.constant(sample) },
      {
        weight: 5,
        // The sample with one field replaced by anything, or removed.
        arbitrary: fc.tuple(fc.nat(), fc.option(jsonValue, { nil: undefined })).map(([pick, value]) => {
          const object = JSON.parse(sample) as Record<string, unknown>;
          const keys = Object.keys(object);
          const key = keys[pick % keys.length]!;
          if (value === undefined) delete object[key];
          else object[key] = value;
          return JSON.stringify(object);
        }),
      },
      {
        weight: 3,
        // Shapes that probe the parser: long integers, duplicates, prototype keys, odd numbers.
        arbitrary: fc
          .constantFrom(
            '"RoomId":"r"',
            '"RoomId":144115233775727695',
            '"RoomId":"a","RoomId":"b"',
            '"RoomId":"r","__proto__":{"polluted":1}',
            '"RoomId":"r","constructor":{"prototype":{"polluted":1}}',
            '"RoomId":"r","EventTime":1e999',
            '"RoomId":"r","EventTime":-0',
            '"RoomId":"\\ud800"',
            '"RoomInfo":{"RoomId":"r","IsVideoDisabled":"false"}',
            '"RoomId":"r",1234567890123456789:1',
            '"RoomId":"r","X":0123456789012345678',
            '"RoomId":"r","SeatList":[{"Member_Account":null},{"Member_Account":""},{"Index":"1"}]',
          )
          .map((fields) => `{"CallbackCommand":"${command}",${fields}}`),
      },
      { weight: 1, arbitrary: fc.constantFrom(...ALL).map(sampleFor) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
      { weight: 1, arbitrary: fc.nat().map((cut) => sample.slice(0, cut % sample.length)) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
      { weight: 1, arbitrary: fc.constantFrom("", " ", "null", "[]", '"x"', "{}", "\ufeff{}") },
      { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => `{"RoomId":"r","Pad":"${"x".repeat(n)}"}`) },
    )
    .map((text) => Buffer.from(text))
    .chain((bytes) =>
      fc.oneof(
        { weight: 19, arbitrary: fc.constant(bytes) },
        // Some raw bytes, often not UTF-8.
        {
          weight: 1,
          arbitrary: fc.uint8Array({ maxLength: 64 }).map((extra) => Buffer.concat([bytes, extra])),
        },
      ),
    );
}

const contentType = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "application/octet-stream",
  "multipart/form-data; boundary=x",
);

const planArb: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Plan>("resolve", "resolve-async", "thenable-twice") },
  { weight: 3, arbitrary: fc.constantFrom<Plan>("throw", "reject", "throw-string") },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: -2_000_000, max: 2_000_000 })
      .filter((code) => code !== 0)
      .map((code): Plan => `callback-error:${code}`),
  },
  { weight: 1, arbitrary: fc.constantFrom<Plan>("hang", "late-reject") },
);

const requestArb = commandArb.chain((command) =>
  fc
    .record({
      mount: fc.constantFrom("a", "b", "c"),
      method: fc.oneof(
        { weight: 20, arbitrary: fc.constant("POST") },
        { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS") },
      ),
      query: queryPlan(command),
      body: bodyArb(command),
      contentType,
      plan: planArb,
    })
    .map((request) =>
      request.plan === "hang" || request.plan === "late-reject" ? { ...request, mount: "d" } : request,
    ),
);

// ---- invariants ----------------------------------------------------------

const STATUS_CODES: Record<number, (code: number) => boolean> = {
  200: () => true,
  400: (code) => [4001, 4002, 4003, 4004].includes(code),
  401: (code) => [4011, 4012, 4013, 4014].includes(code),
  403: (code) => [4031, 4032, 4033].includes(code),
  405: (code) => code === 4050,
  408: (code) => code === 4080,
  413: (code) => code === 4130,
};

function prototypeSnapshot() {
  return Object.getOwnPropertyNames(Object.prototype)
    .sort()
    .map((name) => {
      const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, name);
      return [name, descriptor?.value ?? descriptor?.get, descriptor?.set] as const;
    });
}

/** The command the router should act on: the query's, else the body's (JSON.parse: the last duplicate wins). */
function effectiveCommand(query: QueryPlan, body: Buffer): string | undefined {
  const fromQuery = query.command[0]?.[1];
  if (fromQuery) return fromQuery;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { CallbackCommand?: unknown };
    return typeof parsed?.CallbackCommand === "string" && parsed.CallbackCommand
      ? parsed.CallbackCommand
      : undefined;
  } catch {
    return undefined;
  }
}

function parsesAsObject(body: Buffer): boolean {
  if (!isUtf8(body)) return false;
  try {
    const value: unknown = JSON.parse(body.toString("utf8").replace(/^\ufeff/, ""));
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}

let served: Served;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

beforeAll(async () => {
  served = await serve(buildApp());
});
afterAll(async () => {
  agent.destroy();
  await served.close();
});

it(`keeps the router's contract on random requests (seed ${SEED}, ${NUM_RUNS} runs)`, async () => {
  const prototypeBefore = prototypeSnapshot();
  let next = 0;
  await fc.assert(
    fc.asyncProperty(requestArb, async (request) => {
      const id = String(next++);
      const query = renderQuery(request.query, request.mount);
      const headers: Record<string, string | number> = { "x-id": id, "x-plan": request.plan };
      if (request.contentType !== undefined) headers["Content-Type"] = request.contentType;
      const res = await send(served.port, {
        method: request.method,
        path: `/${request.mount}?${query}`,
        headers,
        body: request.body,
        agent,
      });
      const entry = seen.get(id);
      if (!entry) throw new Error("the request never reached the app");
      await entry.finished;

      // Exactly one response, a well-formed ack with a documented status.
      expect(entry.heads).toBe(1);
      const ack = ackOf(res);
      expect(Object.keys(STATUS_CODES)).toContain(String(res.status));
      expect(["OK", "FAIL"]).toContain(ack.ActionStatus);
      expect(Number.isSafeInteger(ack.ErrorCode)).toBe(true);
      expect(typeof ack.ErrorInfo).toBe("string");
      if (ack.ActionStatus === "OK") {
        expect({ status: res.status, code: ack.ErrorCode, info: ack.ErrorInfo }).toEqual({
          status: 200,
          code: 0,
          info: "",
        });
      } else {
        expect(ack.ErrorCode).not.toBe(0);
        expect(ack.ErrorInfo).not.toBe("");
        expect(STATUS_CODES[res.status]!(ack.ErrorCode)).toBe(true);
      }
      if (res.status === 405) expect(res.headers["allow"]).toBe("POST");

      // The handler ran iff the ack says it did: then the ack is the one its plan implies.
      expect(entry.handlerCalls).toBeLessThanOrEqual(1);
      if (entry.handlerCalls === 1) {
        expect(res.status).toBe(200);
        expect(ack).toEqual(expectedAck(request.plan));
        // Only a JSON object in valid UTF-8 reaches a handler.
        expect(parsesAsObject(request.body)).toBe(true);
      } else {
        if (ack.ActionStatus === "FAIL") expect(res.status).not.toBe(200);
        if (ack.ActionStatus === "OK") {
          // Acked OK without a call: only a command with no handler on this mount.
          const command = effectiveCommand(request.query, request.body);
          expect(command !== undefined && isHandled(request.mount, command)).toBe(false);
        }
      }
      if (ack.ActionStatus === "FAIL" && res.status === 200) {
        expect(entry.handlerCalls === 1 || !HANDLER_FAILURE_CODES.has(ack.ErrorCode)).toBe(true);
      }

      // Every failure is reported, with the ack's code and the (capped) body when it was read.
      if (ack.ActionStatus === "OK") {
        expect(entry.errors).toEqual([]);
      } else {
        expect(entry.errors.length).toBeGreaterThanOrEqual(1);
        const [error] = entry.errors;
        const [rawBody] = entry.rawBodies;
        expect(error).toBeInstanceOf(TrtcCallbackError);
        expect(error!.code).toBe(ack.ErrorCode);
        const text = request.body.toString("utf8").slice(0, RAW_BODY_CAP);
        if (res.status === 200) expect(rawBody).toBe(text);
        // A body cut short by the deadline (408) is reported as far as it arrived.
        else if (rawBody !== undefined && res.status === 408) expect(text.startsWith(rawBody)).toBe(true);
        else if (rawBody !== undefined) expect(rawBody).toBe(text);
      }

      expect(prototypeSnapshot()).toEqual(prototypeBefore);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      seen.delete(id);
    }),
    { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
  );
  // Let late settlements land inside this test, where an unhandled rejection would fail it.
  await new Promise((resolve) => setTimeout(resolve, SHORT_TIMEOUT_MS * 3));
  // A few seconds alone; the margin is for a busy CI machine running both Express projects at once.
}, 30_000);
