import type { CallbackQuery } from "../protocol/query";
import { verifySignature, type Sha256Hex } from "../protocol/signature";
import { ErrorCodes, SdkAppIdError } from "./errors";
import { log } from "./log";

/** The longest received SdkAppid a 4033 message repeats. */
const SHOWN_DIGITS = 20;

/**
 * Checks that a request is for this app (`SdkAppid`, as Tencent's docs
 * require) and, when tokens are configured, that it carries Tencent's
 * signature. Returns the signed `RequestTime` in seconds, if any (a promise
 * only when a signature is checked); throws {@link SdkAppIdError} or
 * `SignatureError`.
 */
export function authenticate(
  query: CallbackQuery,
  sdkAppId: string,
  tokens: readonly string[],
  nowMs: number,
  sha256Hex: Sha256Hex,
): Promise<number> | undefined {
  // Repeated first: `SdkAppid=&SdkAppid=<yours>` is a repetition, not a missing value.
  if (query.isRepeated("sdkappid")) {
    throw new SdkAppIdError("SdkAppid appears more than once in the query", ErrorCodes.RepeatedSdkAppId, 403);
  }
  const received = query.get("sdkappid");
  if (received === undefined || received === "") {
    throw new SdkAppIdError("SdkAppid is missing from the query", ErrorCodes.MissingSdkAppId, 403);
  }
  if (received !== sdkAppId) {
    throw new SdkAppIdError(
      `SdkAppid ${shown(received)} is not this app's: check the SDKAppID the router is configured with`,
      ErrorCodes.WrongSdkAppId,
      403,
    );
  }
  if (tokens.length > 0) return verifySignature(query, tokens, nowMs, sha256Hex);
  if (query.get("sign") !== undefined) warnUnverifiedSign();
  return undefined;
}

/** The received SdkAppid for a message: its digits only, capped, so a hostile query cannot shape the ack. */
function shown(received: string): string {
  const digits = received.replace(/\D/g, "");
  if (digits === "") return "(no digits)";
  return digits.length > SHOWN_DIGITS ? `${digits.slice(0, SHOWN_DIGITS)}…` : digits;
}

let warned = false;

/** Once per process: Tencent signs the callbacks, but the router was given no token to check them with. */
function warnUnverifiedSign(): void {
  if (warned) return;
  warned = true;
  log.error(
    "a callback carries Sign but no token is configured, so signatures are NOT checked: pass token (and requireToken: true) to verify them",
  );
}
