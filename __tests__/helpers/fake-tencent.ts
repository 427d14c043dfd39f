import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inflateSync } from "node:zlib";

/**
 * A fake of Tencent's REST API for `v4/room_config/*`: a real HTTP server on
 * 127.0.0.1 that checks what Tencent checks (the UserSig, written
 * independently of lib/rest: decoded, inflated, its HMAC recomputed with the
 * app's key, its identifier, SdkAppid and expiry; `random` a uint32;
 * `contenttype=json`; query names case-sensitive), keeps one configuration
 * per app, and answers the documented error codes. One instance is one data
 * centre: an app it does not hold gets 70016, as from the wrong region.
 */

/** An app the data centre holds. */
export interface FakeApp {
  sdkAppId: number;
  secretKey: string;
  /** Accounts that exist (70107 for others). @defaultValue ["administrator"] */
  accounts?: string[];
}

export interface FakeTencentOptions {
  apps: FakeApp[];
  /** How get_callback says that nothing is set (undocumented): an answer without Url, or 100301. */
  none?: "empty" | "100301";
  /** Leave `ActionStatus` out of every answer, as some real REST answers do. */
  omitActionStatus?: boolean;
  /** Answer this instead of the API (another status, a body that is not JSON). */
  override?: (api: string) => { status: number; body: string } | undefined;
  /** The data centre's clock, in Unix seconds. @defaultValue now */
  now?: () => number;
}

/** A configuration as the fake stores it: what set/update sent. */
export interface StoredConfiguration {
  Url: string;
  CallbackCommandList: string[];
}

export interface RecordedRequest {
  api: string;
  method: string;
  /** The raw query string, without `?`. */
  query: string;
  body: string;
  answer: { ErrorCode: number; ErrorInfo: string };
}

export interface FakeTencent {
  /** `http://127.0.0.1:<port>`: pass as `endpoint`. */
  readonly endpoint: string;
  /** One configuration per SDKAppID. */
  readonly configs: Map<number, StoredConfiguration>;
  /** Every request, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const COMMANDS = [
  "Room.CallbackAfterCreateRoom",
  "Room.CallbackAfterDestroyRoom",
  "Room.CallbackAfterUpdateRoomInfo",
  "Room.CallbackUpdateRoomInfo",
  "Room.CallbackAfterMemberEnter",
  "Room.CallbackAfterMemberLeave",
  "Mic.CallbackAfterSeatInfoChanged",
];
const APIS = ["set_callback", "update_callback", "get_callback", "delete_callback"];

/** A UserSig's JSON document, decoded: Tencent's base64 variant, then zlib inflate. Throws when it is not one. */
export function decodeUserSig(userSig: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9*\-_]+$/.test(userSig)) throw new Error("not in Tencent's base64 alphabet");
  const base64 = userSig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
  const document = JSON.parse(inflateSync(Buffer.from(base64, "base64")).toString("utf8")) as unknown;
  if (document === null || typeof document !== "object") throw new Error("not a JSON object");
  return document as Record<string, unknown>;
}

/** The HMAC a UserSig must carry, as TLSSigAPIv2 computes it (no userbuf). */
export function userSigHmac(
  key: string,
  fields: { identifier: string; sdkAppId: number; time: number; expire: number },
): string {
  const content = `TLS.identifier:${fields.identifier}\nTLS.sdkappid:${fields.sdkAppId}\nTLS.time:${fields.time}\nTLS.expire:${fields.expire}\n`;
  return createHmac("sha256", key).update(content).digest("base64");
}

class Refusal {
  constructor(
    readonly code: number,
    readonly info: string,
  ) {}
}

export async function startFakeTencent(options: FakeTencentOptions): Promise<FakeTencent> {
  const apps = new Map(options.apps.map((app) => [app.sdkAppId, app]));
  const configs = new Map<number, StoredConfiguration>();
  const requests: RecordedRequest[] = [];
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? "/", "http://fake");
      const api = /^\/v4\/room_config\/([a-z_]+)$/.exec(url.pathname)?.[1] ?? "";
      const override = options.override?.(api);
      if (override) {
        res.writeHead(override.status, { "Content-Type": "text/plain" }).end(override.body);
        return;
      }
      if (req.method !== "POST" || !APIS.includes(api)) {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
        return;
      }
      let result: { ErrorCode: number; ErrorInfo: string; Response?: unknown };
      try {
        result = { ErrorCode: 0, ErrorInfo: "", ...handle(api, url.searchParams, body) };
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        result = { ErrorCode: error.code, ErrorInfo: error.info };
      }
      requests.push({
        api,
        method: req.method,
        query: url.search.slice(1),
        body,
        answer: { ErrorCode: result.ErrorCode, ErrorInfo: result.ErrorInfo },
      });
      const answer = {
        ...(options.omitActionStatus ? {} : { ActionStatus: result.ErrorCode === 0 ? "OK" : "FAIL" }),
        ErrorCode: result.ErrorCode,
        ErrorInfo: result.ErrorInfo,
        RequestId: randomUUID(),
        ...(result.Response === undefined ? {} : { Response: result.Response }),
      };
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(answer));
    });
  });

  function handle(api: string, query: URLSearchParams, text: string): { Response?: unknown } {
    const sdkAppId = authenticate(query);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Refusal(100002, "invalid parameter: the body is not JSON");
    }
    const existing = configs.get(sdkAppId);
    switch (api) {
      case "set_callback":
      case "update_callback": {
        const config = checkConfiguration(body);
        if (api === "set_callback" && existing) {
          throw new Refusal(100300, "callback config already exists, please use update_callback");
        }
        if (api === "update_callback" && !existing) {
          throw new Refusal(100301, "callback config does not exist, please use set_callback");
        }
        configs.set(sdkAppId, config);
        return {};
      }
      case "get_callback":
        if (existing) return { Response: { ...existing } };
        if (options.none === "100301") throw new Refusal(100301, "callback config does not exist");
        return { Response: {} };
      default:
        configs.delete(sdkAppId);
        return {};
    }
  }

  /** The checks Tencent makes of every request; the app's SDKAppID when they pass. */
  function authenticate(query: URLSearchParams): number {
    // Names are case-sensitive: SdkAppId or UserSig are not these.
    const [sdkappid, identifier, usersig, random, contenttype] = [
      "sdkappid",
      "identifier",
      "usersig",
      "random",
      "contenttype",
    ].map((name) => query.get(name));
    if (contenttype !== "json") throw new Refusal(100002, "invalid parameter: contenttype must be json");
    if (sdkappid == null || !/^\d+$/.test(sdkappid)) throw new Refusal(100002, "invalid parameter: sdkappid");
    if (identifier == null || identifier === "") throw new Refusal(100002, "invalid parameter: identifier");
    if (random == null || !/^\d+$/.test(random) || Number(random) > 0xffff_ffff) {
      throw new Refusal(100002, "invalid parameter: random must be a uint32");
    }
    if (usersig == null) throw new Refusal(70003, "usersig missing");
    let document: Record<string, unknown>;
    try {
      document = decodeUserSig(usersig);
    } catch {
      throw new Refusal(70003, "usersig is invalid: decode failed");
    }
    const fields = {
      identifier: document["TLS.identifier"],
      sdkAppId: document["TLS.sdkappid"],
      time: document["TLS.time"],
      expire: document["TLS.expire"],
    };
    const sig = document["TLS.sig"];
    if (
      document["TLS.ver"] !== "2.0" ||
      typeof fields.identifier !== "string" ||
      typeof fields.sdkAppId !== "number" ||
      typeof fields.time !== "number" ||
      typeof fields.expire !== "number" ||
      typeof sig !== "string"
    ) {
      throw new Refusal(70003, "usersig is invalid: fields missing");
    }
    if (fields.sdkAppId !== Number(sdkappid)) throw new Refusal(70014, "sdkappid does not match usersig");
    if (fields.identifier !== identifier) throw new Refusal(70013, "identifier does not match usersig");
    const app = apps.get(fields.sdkAppId);
    if (app === undefined) throw new Refusal(70016, "key not found in this data center");
    const expected = Buffer.from(
      userSigHmac(
        app.secretKey,
        fields as { identifier: string; sdkAppId: number; time: number; expire: number },
      ),
    );
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Refusal(70009, "usersig verification failed");
    }
    if (fields.time + fields.expire < now()) throw new Refusal(70001, "usersig expired");
    if (!(app.accounts ?? ["administrator"]).includes(identifier)) {
      throw new Refusal(70107, "identifier is not an imported account");
    }
    return app.sdkAppId;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    configs,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function checkConfiguration(body: Record<string, unknown>): StoredConfiguration {
  const { Url, CallbackCommandList } = body;
  if (
    typeof Url !== "string" ||
    !/^https?:\/\//.test(Url) ||
    !URL.canParse(Url) ||
    new URL(Url).hostname === ""
  ) {
    throw new Refusal(100002, "invalid parameter: Url");
  }
  if (
    !Array.isArray(CallbackCommandList) ||
    CallbackCommandList.length === 0 ||
    !CallbackCommandList.every((name) => typeof name === "string" && COMMANDS.includes(name))
  ) {
    throw new Refusal(100002, "invalid parameter: CallbackCommandList");
  }
  return { Url, CallbackCommandList: [...(CallbackCommandList as string[])] };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The ways a secret key could leak into text: as is, and its base64, base64url and hex renderings. */
export function secretForms(key: string): string[] {
  const bytes = Buffer.from(key, "utf8");
  const forms = [key, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
  if (/^(?:[0-9a-f]{2})+$/i.test(key)) {
    const raw = Buffer.from(key, "hex");
    forms.push(raw.toString("base64"), raw.toString("base64url"));
  }
  return forms;
}
