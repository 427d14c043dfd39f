import { randomInt } from "node:crypto";
import createDebug from "debug";
import type { ClientSettings } from "./options";
import { TencentApiError, TencentRequestError } from "./tencent-api-error";
import { genUserSig } from "./user-sig";

const trace = createDebug("trtc-room-callbacks:rest");

/** The `v4/room_config` commands this package uses. */
export type RoomConfigApi = "set_callback" | "update_callback" | "get_callback" | "delete_callback";

/** A request ready to send. */
export interface RestRequest {
  api: RoomConfigApi;
  url: URL;
  body: string;
}

/** The UserSig's validity: a day, as Tencent advises, so a slow clock here does not fail it. */
const USER_SIG_SECONDS = 86_400;

/** Builds a request to `api`, signed with a fresh UserSig and a fresh `random`. */
export function buildRequest(settings: ClientSettings, api: RoomConfigApi, body: object): RestRequest {
  const url = new URL(`v4/room_config/${api}`, settings.base);
  // Names and order as Tencent documents them: it reads the names case-sensitively.
  url.searchParams.set("sdkappid", String(settings.sdkAppId));
  url.searchParams.set("identifier", settings.identifier);
  url.searchParams.set(
    "usersig",
    genUserSig({
      sdkAppId: settings.sdkAppId,
      secretKey: settings.secretKey,
      identifier: settings.identifier,
      expireSeconds: USER_SIG_SECONDS,
    }),
  );
  url.searchParams.set("random", String(randomInt(0, 0x1_0000_0000)));
  url.searchParams.set("contenttype", "json");
  return { api, url, body: JSON.stringify(body) };
}

/** The request's URL with its UserSig replaced by `REDACTED`, fit to print. */
export function redactedUrl(request: RestRequest): string {
  const url = new URL(request.url);
  url.searchParams.set("usersig", "REDACTED");
  return url.href;
}

/**
 * Sends `request` and resolves to Tencent's answer when its `ErrorCode` is 0.
 * Rejects with a {@link TencentApiError} for another code, and with a
 * {@link TencentRequestError} when no such answer came.
 */
export async function sendRequest(
  settings: ClientSettings,
  request: RestRequest,
): Promise<Record<string, unknown>> {
  const call = { api: request.api, host: settings.host };
  let status: number;
  let text: string;
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: request.body,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    trace("%s at %s: no answer (%s)", request.api, settings.host, reason(error, settings.timeoutMs));
    throw new TencentRequestError(
      `cannot reach Tencent's REST API at ${settings.host} (${request.api}): ${reason(error, settings.timeoutMs)}. Check the network, the region or endpoint, and any proxy`,
      call,
    );
  }
  if (status !== 200) {
    trace("%s at %s: HTTP %d", request.api, settings.host, status);
    throw new TencentRequestError(
      `Tencent's REST API at ${settings.host} answered ${request.api} with HTTP ${status} ${JSON.stringify(excerpt(text))}: it answers 200 unless its network failed; retry later, or check the region or endpoint`,
      call,
      status,
    );
  }
  const answer = parseAnswer(text);
  if (answer === undefined) {
    throw new TencentRequestError(
      `${settings.host} answered ${request.api} with HTTP 200 but not a REST result (JSON with a numeric ErrorCode): ${JSON.stringify(excerpt(text))}. Is the endpoint Tencent's REST API?`,
      call,
      status,
    );
  }
  const code = answer["ErrorCode"] as number;
  const requestId = typeof answer["RequestId"] === "string" ? answer["RequestId"] : "";
  trace("%s at %s: ErrorCode %d RequestId %s", request.api, settings.host, code, requestId);
  // Some REST answers lack ActionStatus: ErrorCode alone decides.
  if (code === 0) return answer;
  const info = typeof answer["ErrorInfo"] === "string" ? answer["ErrorInfo"] : "";
  throw new TencentApiError({ code, info, requestId }, call);
}

function parseAnswer(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      Number.isInteger((value as Record<string, unknown>)["ErrorCode"])
    ) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not JSON: not a REST result.
  }
  return undefined;
}

/**
 * The start of an answer for an error message, with any UserSig it echoes
 * (a gateway's error page may quote the request target) redacted: it is an
 * admin credential for a day.
 */
function excerpt(text: string): string {
  const cut = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return cut.replace(/(usersig=)[^&\s"'<>]*/gi, "$1(redacted)");
}

// Only the error's name and code: fetch's messages could one day quote the URL, and with it the UserSig.
function reason(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (a test runner's), failing instanceof.
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  if (name === "TimeoutError" || name === "AbortError") return `no answer within ${timeoutMs} ms`;
  if (typeof cause?.code === "string") return cause.code;
  return typeof name === "string" ? name : "the request failed";
}
