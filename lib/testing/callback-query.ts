import type { CallbackCommand } from "../commands/registry";
import type { OpenString } from "../commands/fields";
import { sign } from "../protocol/sign";

/** What {@link callbackQuery} builds the query from. */
export interface CallbackQueryOptions {
  /** The `SdkAppid` to send: your app's for a request the router accepts, another for a 403. */
  sdkAppId: number | string;
  /** The `CallbackCommand` to send: a canonical name, an older spelling, or any string. */
  command: OpenString<CallbackCommand>;
  /**
   * The callback authentication token. When given, the query carries `Sign`
   * and `RequestTime` computed from it, as Tencent sends them.
   *
   * @defaultValue none: no `Sign`
   */
  token?: string | undefined;
  /**
   * `RequestTime`, Unix time in **seconds**; sent when a token is given, or
   * alone when set without one.
   *
   * @defaultValue now, when a token is given
   */
  requestTime?: number | undefined;
  /**
   * `ClientIP`; `null` leaves it out.
   *
   * @defaultValue `"127.0.0.1"`
   */
  clientIp?: string | null | undefined;
  /**
   * `OptPlatform`; `null` leaves it out.
   *
   * @defaultValue `"Web"`
   */
  optPlatform?: string | null | undefined;
}

/**
 * A callback's query parameters, spelt as Tencent sends them. Assignable to
 * `Record<string, string>`, so it goes straight into supertest's `.query()`
 * or `new URLSearchParams()`.
 */
export type CallbackQueryParams = Record<string, string> & {
  SdkAppid: string;
  CallbackCommand: string;
  contenttype: "json";
  ClientIP?: string;
  OptPlatform?: string;
  Sign?: string;
  RequestTime?: string;
};

// Unix seconds stay below this until the year 5138; a larger value is almost surely Date.now().
const MAX_SECONDS = 1e11;

/**
 * The query Tencent appends to your callback URL for one callback, with a
 * valid `Sign`/`RequestTime` pair when a token is given.
 *
 * @throws TypeError when `requestTime` is not a non-negative integer of seconds.
 *
 * @example
 * ```ts
 * await request(app)
 *   .post("/trtc")
 *   .query(callbackQuery({ sdkAppId: 1400000001, command: "Room.CallbackAfterMemberEnter", token: "t0k3n" }))
 *   .send(sampleEvent("Room.CallbackAfterMemberEnter"))
 *   .expect(200, { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
 * ```
 */
export function callbackQuery(options: CallbackQueryOptions): CallbackQueryParams {
  const { sdkAppId, command, token, requestTime, clientIp = "127.0.0.1", optPlatform = "Web" } = options;
  if (
    requestTime !== undefined &&
    (!Number.isSafeInteger(requestTime) || requestTime < 0 || requestTime >= MAX_SECONDS)
  ) {
    throw new TypeError(
      `callbackQuery: requestTime is Unix time in seconds, such as Math.floor(Date.now() / 1000); got ${String(requestTime)}`,
    );
  }
  const query: CallbackQueryParams = {
    SdkAppid: String(sdkAppId),
    CallbackCommand: command,
    contenttype: "json",
  };
  if (clientIp !== null) query.ClientIP = clientIp;
  if (optPlatform !== null) query.OptPlatform = optPlatform;
  const time = requestTime ?? (token === undefined ? undefined : Math.floor(Date.now() / 1000));
  if (token !== undefined && time !== undefined) query.Sign = sign(token, time);
  if (time !== undefined) query.RequestTime = String(time);
  return query;
}
