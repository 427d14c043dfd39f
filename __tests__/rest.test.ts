import createDebug from "debug";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { format, inspect } from "node:util";
import { COMMAND_NAMES, ConfigurationError } from "trtc-room-callbacks";
import {
  createRoomConfigClient,
  genUserSig,
  REGIONS,
  TencentApiError,
  TencentRequestError,
  type RoomConfigClientOptions,
} from "trtc-room-callbacks/rest";
import { HINTS } from "../lib/rest/hints";
import { decodeUserSig, secretForms, startFakeTencent, type FakeTencent } from "./helpers/fake-tencent";
import { freePort } from "./helpers/servers";

const SDK_APP_ID = 1400000001;
const SECRET = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const OTHER_SECRET = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

/** Fails when any rendering of the secret key (or a UserSig made with it) is in `text`. */
function expectNoSecret(text: string): void {
  for (const form of secretForms(SECRET)) expect(text).not.toContain(form);
  expect(text).not.toMatch(/usersig=(?!REDACTED)[A-Za-z0-9*\-_]{20,}/);
}

/** Every text an error shows: its message, stack and inspection (causes included). */
function errorTexts(error: unknown): string {
  return `${String(error)}\n${(error as Error).stack}\n${inspect(error, { depth: 5 })}`;
}

/** The rejection of `promise`, checked to carry no secret. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (reason: unknown) => reason as Error,
  );
  expectNoSecret(errorTexts(error));
  return error;
}

describe("createRoomConfigClient against a fake of Tencent's REST API", () => {
  let fake: FakeTencent;
  const client = (options: Partial<RoomConfigClientOptions> = {}) =>
    createRoomConfigClient({ sdkAppId: SDK_APP_ID, secretKey: SECRET, endpoint: fake.endpoint, ...options });

  beforeEach(async () => {
    fake = await startFakeTencent({ apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }] });
  });
  afterEach(async () => {
    await fake.close();
  });

  it("sets a configuration on an empty app: all six commands, created", async () => {
    const result = await client().setCallback({ url: "https://your.host/trtc" });
    expect(result).toEqual({ created: true, url: "https://your.host/trtc", commands: [...COMMAND_NAMES] });
    expect(fake.configs.get(SDK_APP_ID)).toEqual({
      Url: "https://your.host/trtc",
      CallbackCommandList: [...COMMAND_NAMES],
    });
    expect(fake.requests.map((request) => request.api)).toEqual(["set_callback"]);
  });

  it("sets it again: set_callback's 100300 turns into update_callback", async () => {
    const tencent = client();
    await tencent.setCallback({ url: "https://old.host/trtc" });
    const result = await tencent.setCallback({ url: "https://new.host/trtc" });
    expect(result.created).toBe(false);
    expect(fake.configs.get(SDK_APP_ID)?.Url).toBe("https://new.host/trtc");
    expect(fake.requests.map((request) => [request.api, request.answer.ErrorCode])).toEqual([
      ["set_callback", 0],
      ["set_callback", 100300],
      ["update_callback", 0],
    ]);
  });

  it("a configuration that keeps vanishing between set and update ends in 100301 after one retry", async () => {
    const calls: string[] = [];
    await fake.close();
    fake = await startFakeTencent({
      apps: [],
      override: (api) => {
        calls.push(api);
        const code = api === "set_callback" ? 100300 : 100301;
        return { status: 200, body: JSON.stringify({ ErrorCode: code, ErrorInfo: "", RequestId: "r" }) };
      },
    });
    const error = await failure(client().setCallback({ url: "https://new.host/trtc" }));
    expect(error).toMatchObject({ name: "TencentApiError", code: 100301 });
    expect(calls).toEqual(["set_callback", "update_callback", "set_callback", "update_callback"]);
  });

  it("after set's 100300, an update finding none sets again: created", async () => {
    let vanished = false;
    await fake.close();
    fake = await startFakeTencent({
      apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }],
      override: (api) => {
        if (api !== "update_callback" || vanished) return undefined;
        vanished = true;
        fake.configs.delete(SDK_APP_ID);
        return { status: 200, body: JSON.stringify({ ErrorCode: 100301, ErrorInfo: "", RequestId: "r" }) };
      },
    });
    fake.configs.set(SDK_APP_ID, {
      Url: "https://old.host/trtc",
      CallbackCommandList: ["Room.CallbackAfterCreateRoom"],
    });
    const result = await client().setCallback({ url: "https://new.host/trtc" });
    expect(result.created).toBe(true);
    expect(fake.configs.get(SDK_APP_ID)?.Url).toBe("https://new.host/trtc");
    expect(fake.requests.map((request) => [request.api, request.answer.ErrorCode])).toEqual([
      ["set_callback", 100300],
      ["set_callback", 0],
    ]);
  });

  it("gets the configuration, then nothing once deleted", async () => {
    const tencent = client();
    await tencent.setCallback({ url: "https://your.host/trtc" });
    expect(await tencent.getCallback()).toEqual({
      url: "https://your.host/trtc",
      commands: [...COMMAND_NAMES],
    });
    await tencent.deleteCallback();
    expect(fake.configs.has(SDK_APP_ID)).toBe(false);
    expect(await tencent.getCallback()).toBeUndefined();
  });

  it("signs every request as Tencent requires: the documented names, a fresh uint32 random, a valid UserSig", async () => {
    const tencent = client({ identifier: "administrator" });
    await tencent.getCallback();
    await tencent.getCallback();
    await tencent.getCallback();
    const queries = fake.requests.map((request) => new URLSearchParams(request.query));
    for (const query of queries) {
      expect([...query.keys()]).toEqual(["sdkappid", "identifier", "usersig", "random", "contenttype"]);
      expect(query.get("sdkappid")).toBe(String(SDK_APP_ID));
      expect(query.get("contenttype")).toBe("json");
      expect(Number(query.get("random"))).toBeLessThanOrEqual(0xffff_ffff);
      expect(decodeUserSig(query.get("usersig") ?? "")).toMatchObject({
        "TLS.identifier": "administrator",
        "TLS.sdkappid": SDK_APP_ID,
      });
    }
    expect(new Set(queries.map((query) => query.get("random"))).size).toBe(3);
    expect(fake.requests.map((request) => request.method)).toEqual(["POST", "POST", "POST"]);
    expect(fake.requests.map((request) => request.body)).toEqual(["{}", "{}", "{}"]);
  });

  it("narrows the command list, sends the older update spelling as the canonical one, once", async () => {
    await client().setCallback({
      url: "https://your.host/trtc",
      commands: [
        "Room.CallbackUpdateRoomInfo",
        "Room.CallbackAfterMemberEnter",
        "Room.CallbackAfterUpdateRoomInfo",
      ],
    });
    expect(fake.configs.get(SDK_APP_ID)?.CallbackCommandList).toEqual([
      "Room.CallbackAfterUpdateRoomInfo",
      "Room.CallbackAfterMemberEnter",
    ]);
  });

  it("reads Tencent's older update spelling back as the canonical name, and keeps unknown names", async () => {
    fake.configs.set(SDK_APP_ID, {
      Url: "https://your.host/trtc",
      CallbackCommandList: [
        "Room.CallbackUpdateRoomInfo",
        "Room.CallbackAfterMemberLeave",
        "Room.CallbackAfterUpdateRoomInfo",
        "Room.CallbackSomethingNew",
      ],
    });
    expect(await client().getCallback()).toEqual({
      url: "https://your.host/trtc",
      commands: [
        "Room.CallbackAfterUpdateRoomInfo",
        "Room.CallbackAfterMemberLeave",
        "Room.CallbackSomethingNew",
      ],
    });
  });

  it.each([
    [
      "refused",
      70001,
      { now: () => Math.floor(Date.now() / 1000) + 2 * 86400 },
      {},
      /expired.*generate a new one/,
    ],
    ["signed with another key", 70009, {}, { secretKey: OTHER_SECRET }, /secret key belongs to another app/],
    [
      "made as an account that does not exist",
      70107,
      {},
      { identifier: "ops" },
      /not an account of this app/,
    ],
  ])(
    "a UserSig %s is a TencentApiError %i with a hint",
    async (_case, code, fakeOptions, clientOptions, hint) => {
      await fake.close();
      fake = await startFakeTencent({
        apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }],
        ...(fakeOptions as object),
      });
      const error = await failure(client(clientOptions as Partial<RoomConfigClientOptions>).getCallback());
      expect(error).toBeInstanceOf(TencentApiError);
      const apiError = error as TencentApiError;
      expect(apiError).toMatchObject({ code, api: "get_callback", host: new URL(fake.endpoint).host });
      expect(apiError.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(apiError.info).toBe(fake.requests[0]?.answer.ErrorInfo);
      expect(apiError.hint).toMatch(hint);
      expect(apiError.message).toContain(`failed with ${code}`);
      expect(apiError.message).toContain(apiError.requestId);
      expect(apiError.message).toMatch(hint);
    },
  );

  it("the wrong region: another data centre does not know the app's key (70016)", async () => {
    const singapore = await startFakeTencent({ apps: [] });
    try {
      const error = await failure(
        client({ endpoint: singapore.endpoint }).setCallback({ url: "https://h/trtc" }),
      );
      expect(error).toMatchObject({ name: "TencentApiError", code: 70016 });
      expect(error.message).toMatch(/use your app's region/);
      expect(fake.requests).toEqual([]);
    } finally {
      await singapore.close();
    }
  });

  it("an invalid Url is Tencent's 100002, with what to check", async () => {
    const error = await failure(client().setCallback({ url: "https://exa mple.com/trtc" }));
    expect(error).toMatchObject({ code: 100002, info: "invalid parameter: Url" });
    expect(error.message).toMatch(/check the URL/);
  });

  it("a success without ActionStatus is a success: ErrorCode decides", async () => {
    await fake.close();
    fake = await startFakeTencent({
      apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }],
      omitActionStatus: true,
    });
    await expect(client().setCallback({ url: "https://your.host/trtc" })).resolves.toMatchObject({
      created: true,
    });
    await expect(client().getCallback()).resolves.toMatchObject({ url: "https://your.host/trtc" });
  });

  it("nothing set is undefined, whether Tencent answers without Url or with 100301", async () => {
    expect(await client().getCallback()).toBeUndefined();
    await fake.close();
    fake = await startFakeTencent({ apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }], none: "100301" });
    expect(await client().getCallback()).toBeUndefined();
    expect(fake.requests[0]?.answer.ErrorCode).toBe(100301);
  });

  it.each(Object.keys(HINTS).map(Number))("code %i carries its hint", async (code) => {
    await fake.close();
    fake = await startFakeTencent({
      apps: [],
      override: () => ({
        status: 200,
        body: JSON.stringify({ ErrorCode: code, ErrorInfo: "no", RequestId: "r-1" }),
      }),
    });
    const error = (await failure(client().deleteCallback())) as TencentApiError;
    expect(error).toMatchObject({ code, info: "no", requestId: "r-1", hint: HINTS[code] });
    expect(error.message).toBe(
      `Tencent's delete_callback at ${new URL(fake.endpoint).host} failed with ${code} "no" (RequestId r-1): ${HINTS[code]}`,
    );
  });

  it("a code without a hint is still a TencentApiError with Tencent's text", async () => {
    await fake.close();
    fake = await startFakeTencent({
      apps: [],
      override: () => ({ status: 200, body: JSON.stringify({ ErrorCode: 91000, ErrorInfo: "odd" }) }),
    });
    const error = (await failure(client().getCallback())) as TencentApiError;
    expect(error).toMatchObject({ code: 91000, info: "odd", requestId: "", hint: undefined });
    expect(error.message).toBe(
      `Tencent's get_callback at ${new URL(fake.endpoint).host} failed with 91000 "odd"`,
    );
  });

  it.each([
    [
      "a non-200 status",
      { status: 502, body: "Bad Gateway" },
      /answered get_callback with HTTP 502 "Bad Gateway"/,
      502,
    ],
    ["a non-JSON answer", { status: 200, body: "<html>login</html>" }, /HTTP 200 but not a REST result/, 200],
    ["JSON without ErrorCode", { status: 200, body: '{"ok":true}' }, /not a REST result/, 200],
  ])("%s is a TencentRequestError naming the host", async (_case, answer, message, status) => {
    await fake.close();
    fake = await startFakeTencent({ apps: [], override: () => answer });
    const error = await failure(client().getCallback());
    expect(error).toBeInstanceOf(TencentRequestError);
    expect(error).toMatchObject({ api: "get_callback", host: new URL(fake.endpoint).host, status });
    expect(error.message).toMatch(message);
    expect(error.message).toContain(new URL(fake.endpoint).host);
  });

  it("redacts a UserSig a gateway's error page echoes back from the request target", async () => {
    const gateway: Server = createServer((req, res) => {
      res
        .writeHead(502, { "Content-Type": "text/html" })
        .end(`<h1>502</h1><p>upstream failed for ${req.url}</p>`);
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = gateway.address() as AddressInfo;
      const error = await failure(client({ endpoint: `http://127.0.0.1:${port}` }).getCallback());
      expect(error).toBeInstanceOf(TencentRequestError);
      expect(error.message).toContain("usersig=(redacted)");
      expect(error.message).toContain("sdkappid=1400000001");
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it("a refused connection is a TencentRequestError naming the host and the reason", async () => {
    const port = await freePort();
    const error = await failure(client({ endpoint: `http://127.0.0.1:${port}` }).getCallback());
    expect(error).toBeInstanceOf(TencentRequestError);
    expect(error.message).toBe(
      `cannot reach Tencent's REST API at 127.0.0.1:${port} (get_callback): ECONNREFUSED. Check the network, the region or endpoint, and any proxy`,
    );
  });

  it("no answer within timeoutMs is a TencentRequestError", async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const error = await failure(
        client({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 50 }).getCallback(),
      );
      expect(error).toBeInstanceOf(TencentRequestError);
      expect(error.message).toContain(`at 127.0.0.1:${port} (get_callback): no answer within 50 ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("traces each call under trtc-room-callbacks:rest, without the UserSig or the key", async () => {
    const lines: string[] = [];
    const savedLog = createDebug.log;
    const enabled = createDebug.disable();
    createDebug.enable("trtc-room-callbacks:rest");
    createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
    try {
      await client().setCallback({ url: "https://your.host/trtc" });
      await client().setCallback({ url: "https://your.host/trtc" });
      await failure(client({ secretKey: OTHER_SECRET }).getCallback());
    } finally {
      createDebug.log = savedLog;
      createDebug.enable(enabled);
    }
    const text = lines.join("\n");
    expect(text).toMatch(/set_callback at 127\.0\.0\.1:\d+: ErrorCode 0 RequestId [0-9a-f-]{36}/);
    expect(text).toMatch(/set_callback at 127\.0\.0\.1:\d+: ErrorCode 100300/);
    expect(text).toMatch(/update_callback at 127\.0\.0\.1:\d+: ErrorCode 0/);
    expect(text).toMatch(/get_callback at 127\.0\.0\.1:\d+: ErrorCode 70009/);
    expectNoSecret(text);
    for (const form of secretForms(OTHER_SECRET)) expect(text).not.toContain(form);
    for (const request of fake.requests)
      expect(text).not.toContain(new URLSearchParams(request.query).get("usersig"));
  });

  it("an endpoint with a path keeps it: /v4/room_config/… goes beneath", async () => {
    const tencent = client({ endpoint: `${fake.endpoint}/gateway` });
    const error = await failure(tencent.getCallback());
    // The fake serves only /v4/…: a 404 shows the path was /gateway/v4/room_config/get_callback.
    expect(error).toMatchObject({ name: "TencentRequestError", status: 404 });
  });
});

describe("createRoomConfigClient options", () => {
  const valid: RoomConfigClientOptions = { sdkAppId: SDK_APP_ID, secretKey: SECRET };

  it("defaults to China's host and the administrator account", () => {
    const tencent = createRoomConfigClient(valid);
    expect(tencent).toMatchObject({ sdkAppId: SDK_APP_ID, host: "console.tim.qq.com" });
  });

  it.each(Object.entries(REGIONS))("region %s is %s", (region, host) => {
    expect(createRoomConfigClient({ ...valid, region: region as keyof typeof REGIONS }).host).toBe(host);
  });

  it("an endpoint replaces the region's host", () => {
    expect(
      createRoomConfigClient({ ...valid, region: "singapore", endpoint: "https://gateway.example.com:8443" })
        .host,
    ).toBe("gateway.example.com:8443");
  });

  it.each([
    [{ secretKey: undefined }, /secretKey is missing.*Set the environment variable TRTC_SECRET_KEY/],
    [{ secretKey: "  " }, /secretKey is missing/],
    [{ secretKey: `${SECRET}\n` }, /secretKey has leading or trailing whitespace.*trim it/],
    [
      { region: "singapur" },
      /unknown region "singapur"; did you mean "singapore"\? The regions are china, singapore, seoul/,
    ],
    [{ region: "mars" }, /unknown region "mars" The regions are china, singapore, .*endpoint: "https:\/\/…"/],
    [{ sdkAppId: "SDKAppID" }, /sdkAppId must be your app's SDKAppID.*such as 1400000001/],
    [{ sdkAppId: 1.5 }, /sdkAppId must be/],
    [{ endpoint: "console.tim.qq.com" }, /endpoint must be an http\(s\) base URL.*"https:\/\/adminapisgp/],
    [{ endpoint: "https://h/?a=1" }, /endpoint must be an http\(s\) base URL without a query/],
    [{ timeoutMs: 0 }, /timeoutMs must be a whole number from 1 to 600000/],
    [{ identifier: "ad min" }, /identifier must be an app admin account/],
    [{ secretkey: SECRET }, /unknown option "secretkey"; did you mean secretKey\?/],
  ])("refuses %j at construction, saying what to do", (change, message) => {
    const create = () =>
      createRoomConfigClient({ ...valid, ...(change as object) } as RoomConfigClientOptions);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
    try {
      create();
    } catch (error) {
      expectNoSecret(errorTexts(error));
    }
  });

  it.each([
    [{ url: "ftp://your.host/trtc" }, /url must start with https:\/\/ \(recommended\) or http:\/\//],
    [{ url: "your.host/trtc" }, /url must start with/],
    [{ url: "https://h/t", commands: [] }, /commands must be a non-empty list/],
    [
      { url: "https://h/t", commands: ["Room.CallbackAfterMemberEntre"] },
      /did you mean Room.CallbackAfterMemberEnter\?/,
    ],
  ])("setCallback(%j) refuses before sending anything", async (options, message) => {
    const port = await freePort();
    const tencent = createRoomConfigClient({ ...valid, endpoint: `http://127.0.0.1:${port}` });
    await expect(tencent.setCallback(options as never)).rejects.toThrow(ConfigurationError);
    await expect(tencent.setCallback(options as never)).rejects.toThrow(message);
  });

  it("keeps the secret key out of the client object", () => {
    const tencent = createRoomConfigClient(valid);
    expectNoSecret(inspect(tencent, { depth: 10, showHidden: true }));
    expectNoSecret(JSON.stringify(tencent));
  });
});

describe("the README's table of hints", () => {
  it("lists every code that has a hint, and no other", () => {
    const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
    const start = readme.indexOf("## Configuring the callback URL on Tencent's side\n");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const table = section.slice(section.indexOf("| code "));
    const codes = [...table.matchAll(/^\| ([\d, ]+?) +\|/gm)].flatMap(([, cell]) =>
      (cell ?? "").split(", ").map(Number),
    );
    expect(codes.sort()).toEqual(
      Object.keys(HINTS)
        .map(Number)
        .filter((code) => code !== 100300 && code !== 100301)
        .sort(),
    );
  });
});

describe("the README's samples", () => {
  let fake: FakeTencent;
  let saved: string | undefined;
  let fetchSpy: jest.SpyInstance;
  beforeEach(async () => {
    fake = await startFakeTencent({ apps: [{ sdkAppId: SDK_APP_ID, secretKey: SECRET }] });
    saved = process.env["TRTC_SECRET_KEY"];
    process.env["TRTC_SECRET_KEY"] = SECRET;
    // The samples name Tencent's real hosts: their requests go to the fake instead, unchanged otherwise.
    const realFetch = globalThis.fetch;
    fetchSpy = jest.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      expect(Object.values(REGIONS)).toContain(url.host);
      return realFetch(`${fake.endpoint}${url.pathname}${url.search}`, init);
    });
  });
  afterEach(async () => {
    fetchSpy.mockRestore();
    if (saved === undefined) delete process.env["TRTC_SECRET_KEY"];
    else process.env["TRTC_SECRET_KEY"] = saved;
    await fake.close();
  });

  it("sets, narrows and reads the configuration", async () => {
    async function sample() {
      // README: "Configuring the callback URL on Tencent's side" (begin)
      const tencent = createRoomConfigClient({
        sdkAppId: 1400000001,
        secretKey: process.env.TRTC_SECRET_KEY, // never logged, never in an error message
        region: "singapore", // the app's data centre (default "china")
      });

      // Creates the configuration, or updates the one there: safe on every deploy.
      await tencent.setCallback({ url: "https://your.host/trtc" }); // all six commands

      // Or only some commands:
      await tencent.setCallback({
        url: "https://your.host/trtc",
        commands: ["Room.CallbackAfterMemberEnter", "Room.CallbackAfterMemberLeave"],
      });

      const configuration = await tencent.getCallback(); // { url, commands }, or undefined when none is set
      // README: "Configuring the callback URL on Tencent's side" (end)
      return configuration;
    }
    expect(await sample()).toEqual({
      url: "https://your.host/trtc",
      commands: ["Room.CallbackAfterMemberEnter", "Room.CallbackAfterMemberLeave"],
    });
    expect(fake.requests.map((request) => request.api)).toEqual([
      "set_callback",
      "set_callback",
      "update_callback",
      "get_callback",
    ]);
    expect(fetchSpy.mock.calls.map(([input]) => new URL(String(input)).host)).toEqual(
      Array(4).fill("adminapisgp.im.qcloud.com"),
    );
  });

  it("generates a UserSig", () => {
    // README: "genUserSig" (begin)
    const userSig = genUserSig({
      sdkAppId: 1400000001,
      secretKey: process.env.TRTC_SECRET_KEY,
      identifier: "administrator", // the default
      expireSeconds: 86400, // the default: one day
    });
    // README: "genUserSig" (end)
    expect(decodeUserSig(userSig)).toMatchObject({ "TLS.identifier": "administrator", "TLS.expire": 86400 });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
