import { ConfigurationError } from "../index";

const MAX_UINT32 = 0xffff_ffff;

/** What an option holds, for a message: its type, never its value (it may be a secret). */
export function kind(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" && value === "" ? "an empty string" : `a ${typeof value}`;
}

/** An SDKAppID: a positive integer below 2^32, or its digits. */
export function checkSdkAppId(value: unknown, where: string): number {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 1 || number > MAX_UINT32) {
    const shown =
      typeof value === "number" || typeof value === "string" ? JSON.stringify(value) : kind(value);
    throw new ConfigurationError(
      `${where}: sdkAppId must be your app's SDKAppID from the TRTC console, a positive integer such as 1400000001 (or its digits as a string); got ${shown}`,
    );
  }
  return number;
}

/** The app's secret key: a non-empty string. The message never shows the value. */
export function checkSecretKey(value: unknown, where: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigurationError(
      `${where}: secretKey is missing (got ${kind(value)}). Set the environment variable TRTC_SECRET_KEY to your app's secret key from Tencent's console (Application Management, Basic Information) and pass secretKey: process.env.TRTC_SECRET_KEY`,
    );
  }
  if (value.trim() !== value) {
    throw new ConfigurationError(
      `${where}: secretKey has leading or trailing whitespace, which Tencent's keys never have: trim it (a line read from a file or an env file often ends in a newline)`,
    );
  }
  return value;
}

/** An account ID as it goes into the UserSig and the query: no whitespace or control characters. */
export function checkIdentifier(value: unknown, where: string): string {
  if (typeof value !== "string" || !/^[^\s\p{Cc}]+$/u.test(value)) {
    throw new ConfigurationError(
      `${where}: identifier must be an app admin account's user ID, such as "administrator" (the default), with no spaces; got ${typeof value === "string" ? JSON.stringify(value) : kind(value)}`,
    );
  }
  return value;
}

/** A whole number of seconds or milliseconds within `[min, max]`. */
export function checkWholeNumber(
  value: unknown,
  name: string,
  min: number,
  max: number,
  where: string,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(
      `${where}: ${name} must be a whole number from ${min} to ${max}; got ${typeof value === "number" ? value : kind(value)}`,
    );
  }
  return value;
}
