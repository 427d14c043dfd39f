import { createHash } from "node:crypto";
import type { Sha256Hex } from "./signature";

/** SHA-256 through `node:crypto`: synchronous, for Node's adapters. */
export const nodeSha256Hex: Sha256Hex = (text) => createHash("sha256").update(text).digest("hex");

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
  return nodeSha256Hex(`${token}${requestTime}`) as string;
}
