import { ErrorCodes, SignatureError } from "../core/errors";
import type { CallbackQuery } from "./query";

/** How far `RequestTime` may be from now, in seconds, before a request counts as a replay. */
export const SIGNATURE_WINDOW_SECONDS = 60;

/**
 * Lower-case hex SHA-256 of a text's UTF-8 bytes. Node's adapters pass
 * `node:crypto` (synchronous); the fetch entry passes Web Crypto.
 */
export type Sha256Hex = (text: string) => string | Promise<string>;

/** The `Sign` for a token and request time: SHA-256 of the two concatenated (plain, not HMAC). */
export function signWith(
  sha256Hex: Sha256Hex,
  token: string,
  requestTime: number | string,
): string | Promise<string> {
  return sha256Hex(`${token}${requestTime}`);
}

/** SHA-256 through Web Crypto, for runtimes without `node:crypto`. */
export const webSha256Hex: Sha256Hex = async (text) => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += (byte < 16 ? "0" : "") + byte.toString(16);
  return hex;
};

const SIGN = /^[0-9a-fA-F]{64}$/;
const REQUEST_TIME = /^\d{1,15}$/;

/**
 * Checks `Sign` and `RequestTime` against every configured token, each
 * compared in constant time. Resolves to the request time in seconds; throws
 * (or rejects with) {@link SignatureError} otherwise.
 */
export async function verifySignature(
  query: CallbackQuery,
  tokens: readonly string[],
  nowMs: number,
  sha256Hex: Sha256Hex,
): Promise<number> {
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
  const actual = received.toLowerCase();
  let matched = false;
  for (const token of tokens) {
    // Every token is compared, matched or not, so timing says nothing about which.
    matched = sameHex(await signWith(sha256Hex, token, requestTime), actual) || matched;
  }
  if (!matched) {
    throw new SignatureError("Sign does not match the configured token", ErrorCodes.WrongSignature, 401);
  }
  return seconds;
}

/** Compares two 64-character hex strings in time that does not depend on where they differ. */
function sameHex(expected: string, actual: string): boolean {
  let difference = expected.length ^ actual.length;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ actual.charCodeAt(i);
  return difference === 0;
}
