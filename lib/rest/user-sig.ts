import { createHmac } from "node:crypto";
import { deflateSync } from "node:zlib";
import { checkIdentifier, checkSdkAppId, checkSecretKey, checkWholeNumber } from "./checks";

/** What {@link genUserSig} signs. */
export interface UserSigOptions {
  /** The app's SDKAppID, such as `1400000001`. */
  sdkAppId: number | string;
  /**
   * The app's secret key from Tencent's console. Only its HMAC leaves this
   * function; it is never part of a message.
   */
  secretKey: string | undefined;
  /**
   * The user the UserSig is for: for the REST API, an app admin account.
   *
   * @defaultValue `"administrator"`
   */
  identifier?: string | undefined;
  /**
   * How long the UserSig is valid, in seconds.
   *
   * @defaultValue `86400` (one day)
   */
  expireSeconds?: number | undefined;
  /**
   * When the UserSig is issued, in Unix **seconds**.
   *
   * @defaultValue now
   */
  time?: number | undefined;
}

// Tencent's own generator goes up to 180 days in its samples; ten years is surely a mistake.
const MAX_EXPIRE_SECONDS = 10 * 365 * 86_400;

/**
 * Generates a UserSig: the TLSSigAPIv2 signature Tencent's REST API and SDKs
 * take as proof of a user's identity (HMAC-SHA256 with the app's secret key,
 * deflated and encoded in Tencent's base64 variant). The same as Tencent's
 * `tls-sig-api-v2` package's `genUserSig`, without a dependency.
 *
 * Throws a `ConfigurationError` for a missing key, a malformed SDKAppID or
 * identifier, or an expiry that is not a positive whole number of seconds.
 *
 * @example
 * ```ts
 * const userSig = genUserSig({
 *   sdkAppId: 1400000001,
 *   secretKey: process.env.TRTC_SECRET_KEY,
 *   identifier: "administrator",
 *   expireSeconds: 86400,
 * });
 * ```
 */
export function genUserSig(options: UserSigOptions): string {
  const where = "genUserSig";
  const sdkAppId = checkSdkAppId(options.sdkAppId, where);
  const secretKey = checkSecretKey(options.secretKey, where);
  const identifier = checkIdentifier(options.identifier ?? "administrator", where);
  const expire = checkWholeNumber(
    options.expireSeconds ?? 86_400,
    "expireSeconds",
    1,
    MAX_EXPIRE_SECONDS,
    where,
  );
  const time = checkWholeNumber(
    options.time ?? Math.floor(Date.now() / 1000),
    "time (Unix seconds)",
    0,
    0xffff_ffff,
    where,
  );
  const content =
    `TLS.identifier:${identifier}\n` +
    `TLS.sdkappid:${sdkAppId}\n` +
    `TLS.time:${time}\n` +
    `TLS.expire:${expire}\n`;
  const document = {
    "TLS.ver": "2.0",
    "TLS.identifier": identifier,
    "TLS.sdkappid": sdkAppId,
    "TLS.time": time,
    "TLS.expire": expire,
    "TLS.sig": createHmac("sha256", secretKey).update(content).digest("base64"),
  };
  return toTencentBase64(deflateSync(JSON.stringify(document)));
}

/** Standard base64 with `+`, `/` and `=` replaced by `*`, `-` and `_`, as Tencent writes UserSigs. */
function toTencentBase64(bytes: Buffer): string {
  return bytes
    .toString("base64")
    .replace(/[+/=]/g, (char) => (char === "+" ? "*" : char === "/" ? "-" : "_"));
}
