import createDebug from "debug";
import express from "express";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { gzipSync } from "node:zlib";
import request from "supertest";
import {
  createCallbackRouter,
  CallbackError,
  ConfigurationError,
  type CallbackHandlers,
} from "trtc-room-callbacks";
import { callbackQuery, sampleEvent } from "trtc-room-callbacks/testing";
import { DEFAULT_LIMIT, DEFAULT_RAW_BODY_CAP, DEFAULT_TIMEOUT_MS, KNOWN_OPTIONS } from "../lib/core/options";

/**
 * What the README says of the core's contract (Options, Errors, Signature
 * verification, Coexisting with express.json()), held against the code: the
 * Errors sample runs, and each statement below is what the router does.
 */
const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
const SDK_APP_ID = 1400000001;
const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
const query = (command: string, sdkAppId: number = SDK_APP_ID) => callbackQuery({ sdkAppId, command });

/** The README's text of `section` (from its `## ` heading to the next). */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end).replace(/\s+/g, " ");
}

describe("README: Options", () => {
  const rows = section("Options")
    .split(" | ")
    .join("|")
    .split("| `")
    .slice(1)
    .map((row) => row.split("|").map((cell) => cell.trim()));

  it("lists every option, in the order of the option table, with its default", () => {
    expect(rows.map(([name]) => name?.replace(/`$/, ""))).toEqual(Object.keys(KNOWN_OPTIONS));
    const defaults = Object.fromEntries(rows.map(([name = "", value]) => [name.replace(/`$/, ""), value]));
    expect(defaults).toMatchObject({
      requireToken: "`false`",
      timeoutMs: `\`${DEFAULT_TIMEOUT_MS}\``,
      limit: `\`${DEFAULT_LIMIT}\``,
      rawBodyCap: `\`${DEFAULT_RAW_BODY_CAP}\``,
    });
  });

  it("requireToken: a missing token throws a ConfigurationError when the router is created", () => {
    expect(section("Options")).toContain(
      "`true`: a missing or empty `token` throws a `ConfigurationError` when the router is created",
    );
    const unset: string | undefined = undefined;
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, token: unset, requireToken: true }),
    ).toThrow(ConfigurationError);
    expect(() =>
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, token: "", requireToken: true }),
    ).toThrow(ConfigurationError);
  });

  it("a timeoutMs of 2000 or more draws the documented process warning, once per router", () => {
    expect(section("Options")).toContain(
      "draws one process warning per router, type `TrtcRoomCallbacksWarning`, code `TRTC_ROOM_CALLBACKS_TIMEOUT`",
    );
    const warn = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, timeoutMs: 1999 });
      expect(warn).not.toHaveBeenCalled();
      createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {}, timeoutMs: 2000 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("timeoutMs is 2000"), {
        type: "TrtcRoomCallbacksWarning",
        code: "TRTC_ROOM_CALLBACKS_TIMEOUT",
      });
    } finally {
      warn.mockRestore();
    }
  });

  it("app.use(createCallbackRouter) without the call is caught at the first request, not when the app is built", async () => {
    expect(section("Options")).toContain(
      "That first request throws the `ConfigurationError` (it says to write `createCallbackRouter({ … })`), and Express answers it with its error page (500)",
    );
    const app = express();
    const caught: unknown[] = [];
    expect(() => app.use("/trtc", createCallbackRouter as unknown as express.RequestHandler)).not.toThrow();
    // Express knows an error handler by its four parameters.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    app.use(((error, _req, res, _next) => {
      caught.push(error);
      res.status(500).end();
    }) as express.ErrorRequestHandler);
    await request(app).post("/trtc").query(query("Room.CallbackAfterMemberEnter")).send("{}").expect(500);
    expect(caught).toEqual([expect.any(ConfigurationError)]);
    expect((caught[0] as Error).message).toContain("not app.use(createCallbackRouter)");
  });
});

describe("README: Errors", () => {
  it("runs the onError sample: one line per failure, with the command, the query's fields and the raw body", async () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    try {
      // README: "Errors" (begin)
      const app = express();
      app.use(
        "/trtc",
        createCallbackRouter({
          sdkAppId: 1400000001,
          handlers: {
            "Room.CallbackAfterCreateRoom": (event) => {
              if (event.RoomInfo.RoomType === "Live")
                throw new CallbackError("live rooms are not ours", { code: 4601 });
            },
          },
          onError: (error, info) => {
            // One line per failure, with what it takes to replay it: trtc-room-callbacks send --file.
            console.error(
              JSON.stringify({
                code: error.code,
                message: error.message,
                command: info.command ?? info.receivedCommand,
                sdkAppId: info.sdkAppId,
                clientIp: info.clientIp,
                rawBody: info.rawBody,
              }),
            );
          },
        }),
      );
      // README: "Errors" (end)
      const live = JSON.stringify(
        sampleEvent("Room.CallbackAfterCreateRoom", { RoomInfo: { RoomType: "Live" } }),
      );
      await request(app)
        .post("/trtc")
        .query(query("Room.CallbackAfterCreateRoom"))
        .send(live)
        .expect(200, { ActionStatus: "FAIL", ErrorCode: 4601, ErrorInfo: "live rooms are not ours" });
      // Turned away before the body is read: no rawBody; the command is known from the query.
      await request(app)
        .post("/trtc")
        .query(query("Room.CallbackAfterCreateRoom", 1400000002))
        .send(live)
        .expect(403);
      // A command the package does not know: its name is receivedCommand.
      const unknown = { CallbackCommand: "Room.CallbackAfterSomethingNew" };
      await request(app)
        .post("/trtc")
        .query({ ...query("Room.CallbackAfterSomethingNew"), SdkAppid: "x1400000001" })
        .send(unknown)
        .expect(403);
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
        {
          code: 4601,
          message: "live rooms are not ours",
          command: "Room.CallbackAfterCreateRoom",
          sdkAppId: "1400000001",
          clientIp: "127.0.0.1",
          rawBody: live,
        },
        expect.objectContaining({
          code: 4033,
          command: "Room.CallbackAfterCreateRoom",
          sdkAppId: "1400000002",
        }),
        expect.objectContaining({ code: 4033, command: "Room.CallbackAfterSomethingNew" }),
      ]);
      expect(JSON.parse(lines[1] ?? "")).not.toHaveProperty("rawBody");
    } finally {
      log.mockRestore();
    }
  });

  it("hands onError the very CallbackError thrown, and decides the ack before onError runs", async () => {
    expect(section("Errors")).toContain(
      "reaches `onError` as the very instance thrown, never copied or changed",
    );
    expect(section("Errors")).toContain("The ack is decided, and written, before `onError` runs");
    const shared = Object.freeze(new CallbackError("room is busy", { code: 4321 }));
    const reported: unknown[] = [];
    const handlers: CallbackHandlers = {
      "Room.CallbackAfterDestroyRoom": () => {
        throw shared;
      },
    };
    const app = express();
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers,
        onError: (error) => {
          reported.push(error);
          throw new Error("a logging hook that fails");
        },
      }),
    );
    for (let i = 0; i < 2; i++) {
      await request(app)
        .post("/trtc")
        .query(query("Room.CallbackAfterDestroyRoom"))
        .send({ RoomId: "r" })
        .expect(200, { ActionStatus: "FAIL", ErrorCode: 4321, ErrorInfo: "room is busy" });
    }
    expect(reported).toHaveLength(2);
    for (const error of reported) expect(error).toBe(shared);
  });
});

describe("README: Signature verification", () => {
  it("traces, once per process, a callback that carries Sign while no token is configured", async () => {
    expect(section("Signature verification")).toContain(
      'is traced once per process with `DEBUG=trtc-room-callbacks:error`: "a callback carries Sign but no token is configured',
    );
    const lines: string[] = [];
    const { log, namespaces } = { log: createDebug.log, namespaces: createDebug.disable() };
    createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
    createDebug.enable("trtc-room-callbacks:error");
    try {
      const app = express();
      app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers: {} }));
      const signed = callbackQuery({
        sdkAppId: SDK_APP_ID,
        command: "Room.CallbackAfterMemberEnter",
        token: "tencent-side-token",
      });
      for (let i = 0; i < 3; i++) {
        await request(app).post("/trtc").query(signed).send({ RoomId: "r" }).expect(200, OK);
      }
      const traced = lines.filter((line) => line.includes("carries Sign but no token is configured"));
      expect(traced).toHaveLength(1);
      expect(traced[0]).not.toContain("tencent-side-token");
    } finally {
      createDebug.log = log;
      createDebug.enable(namespaces);
    }
  });
});

describe("README: Coexisting with express.json()", () => {
  const handlers: CallbackHandlers = { "Room.CallbackAfterMemberEnter": () => {} };
  const text = () => section("Coexisting with `express.json()`");

  it("a compressed body, or one in another charset, gets 400/4001", async () => {
    expect(text()).toContain(
      "a compressed body (`Content-Encoding: gzip`) gets 400/4001, and so does a body in another charset (GBK, say;",
    );
    const app = express();
    app.use("/trtc", createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers }));
    const response = await request(app)
      .post("/trtc")
      .query(query("Room.CallbackAfterMemberEnter"))
      .set("Content-Encoding", "gzip")
      .send(gzipSync(JSON.stringify({ RoomId: "r" })))
      .expect(400);
    expect(response.body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 4001 });
    // {"RoomId":"你好"} in GBK.
    const gbk = Buffer.from("7b22526f6f6d4964223a22c4e3bac3227d", "hex");
    const charset = await request(app)
      .post("/trtc")
      .query(query("Room.CallbackAfterMemberEnter"))
      .set("Content-Type", "application/json; charset=gbk")
      .serialize((data: unknown) => data as string)
      .send(gbk)
      .expect(400);
    expect(charset.body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 4001 });
  });

  it("a router mounted without a path answers every request of the app", async () => {
    expect(text()).toContain("without one answers every request of the app (a `GET /` gets 405)");
    const app = express();
    app.use(createCallbackRouter({ sdkAppId: SDK_APP_ID, handlers }));
    app.get("/", (_req, res) => void res.send("home"));
    const response = await request(app).get("/").expect(405);
    expect(response.body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 4050 });
  });

  it("behind express.json(), invalid UTF-8 arrives replaced by U+FFFD and rawBody is a re-serialisation", async () => {
    expect(text()).toContain(
      "invalid UTF-8 was already replaced by the parser (U+FFFD) instead of getting 4001, and `info.rawBody` is a re-serialisation",
    );
    const seen: string[] = [];
    const raw: (string | undefined)[] = [];
    const app = express();
    app.use(express.json());
    app.use(
      "/trtc",
      createCallbackRouter({
        sdkAppId: SDK_APP_ID,
        handlers: {
          "Room.CallbackAfterMemberEnter": (event) => {
            seen.push(...(event.MemberList_Account ?? []));
            throw new CallbackError("keep the body", { code: 4600 });
          },
        },
        onError: (_error, info) => void raw.push(info.rawBody),
      }),
    );
    const body = Buffer.concat([
      Buffer.from('{ "RoomId": "r", "MemberList_Account": ["a'),
      Buffer.from([0xff]),
      Buffer.from('"] }'),
    ]);
    await request(app)
      .post("/trtc")
      .query(query("Room.CallbackAfterMemberEnter"))
      .set("Content-Type", "application/json")
      // The bytes as they are: superagent would send a Buffer with a JSON type as JSON of the Buffer.
      .serialize((data: unknown) => data as string)
      .send(body)
      .expect(200);
    expect(seen).toEqual(["a\uFFFD"]);
    expect(raw).toEqual(['{"RoomId":"r","MemberList_Account":["a\uFFFD"]}']);
  });
});
