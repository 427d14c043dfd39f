import { createHash, timingSafeEqual } from "node:crypto";
import { ErrorCodes, SignatureError } from "./errors";
import type { CallbackQuery } from "./query";

/** How far `RequestTime` may be from now, in seconds, before a request counts as a replay. */
export const SIGNATURE_WINDOW_SECONDS = 60;

/**
 * The `Sign` Tencent sends with callback authentication on: the lower-case hex
 * SHA-256 of the token followed by the request time (plain SHA-256, not HMAC).
 *
 * @example
 * ```ts
 * sign("xxxxyyyy", 1669872112); // "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
 * ```
 */
export function sign(token: string, requestTime: number | string): string {
  return createHash("sha256").update(`${token}${requestTime}`).digest("hex");
}

const SIGN = /^[0-9a-fA-F]{64}$/;
const REQUEST_TIME = /^\d{1,15}$/;

/**
 * Checks `Sign` and `RequestTime` against every configured token, in constant
 * time per token. Returns the request time in seconds; throws
 * {@link SignatureError} otherwise.
 */
export function verifySignature(query: CallbackQuery, tokens: readonly string[], nowMs: number): number {
  const received = query.get("sign");
  const requestTime = query.get("requesttime");
  if (received === undefined || requestTime === undefined) {
    throw new SignatureError(
      "Sign and RequestTime are required: callback authentication is configured with a token",
      ErrorCodes.MissingSignature,
      401,
    );
  }
  if (query.isRepeated("sign") || query.isRepeated("requesttime")) {
    throw new SignatureError(
      "Sign or RequestTime appears more than once",
      ErrorCodes.MalformedSignature,
      401,
    );
  }
  if (!SIGN.test(received) || !REQUEST_TIME.test(requestTime)) {
    throw new SignatureError(
      "Sign must be 64 hex digits and RequestTime a Unix time in seconds",
      ErrorCodes.MalformedSignature,
      401,
    );
  }
  const seconds = Number(requestTime);
  if (Math.abs(nowMs / 1000 - seconds) > SIGNATURE_WINDOW_SECONDS) {
    throw new SignatureError(
      `RequestTime is more than ${SIGNATURE_WINDOW_SECONDS} s from now: a replayed request, or a clock out of sync`,
      ErrorCodes.ExpiredSignature,
      401,
    );
  }
  const actual = Buffer.from(received.toLowerCase(), "latin1");
  let matched = false;
  for (const token of tokens) {
    // Every token is compared, matched or not, so timing says nothing about which.
    matched = timingSafeEqual(Buffer.from(sign(token, requestTime), "latin1"), actual) || matched;
  }
  if (!matched) {
    throw new SignatureError("Sign does not match the configured token", ErrorCodes.WrongSignature, 401);
  }
  return seconds;
}
