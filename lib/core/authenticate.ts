import { ErrorCodes, SdkAppIdError } from "./errors";
import type { CallbackQuery } from "./query";
import { verifySignature } from "./signature";

/**
 * Checks that a request is for this app (`SdkAppid`, as Tencent's docs
 * require) and, when tokens are configured, that it carries Tencent's
 * signature. Returns the signed `RequestTime` in seconds, if any; throws
 * {@link SdkAppIdError} or `SignatureError`.
 */
export function authenticate(
  query: CallbackQuery,
  sdkAppId: string,
  tokens: readonly string[],
  nowMs: number,
): number | undefined {
  const received = query.get("sdkappid");
  if (received === undefined || received === "") {
    throw new SdkAppIdError("SdkAppid is missing from the query", ErrorCodes.MissingSdkAppId, 403);
  }
  if (query.isRepeated("sdkappid")) {
    throw new SdkAppIdError("SdkAppid appears more than once in the query", ErrorCodes.RepeatedSdkAppId, 403);
  }
  if (received !== sdkAppId) {
    throw new SdkAppIdError("SdkAppid is not this app's", ErrorCodes.WrongSdkAppId, 403);
  }
  return tokens.length > 0 ? verifySignature(query, tokens, nowMs) : undefined;
}
