import { isUtf8 } from "node:buffer";
import { ErrorCodes, InvalidEventError } from "./errors";
import { parseJson, sanitize } from "./json";

/** A body as the transport has it: raw bytes, text, or already parsed by an earlier middleware. */
export type BodyInput = string | Uint8Array | { readonly parsed: unknown };

/** Whether an earlier middleware parsed the body. */
export function isParsed(body: BodyInput): body is { readonly parsed: unknown } {
  return typeof body === "object" && "parsed" in body;
}

/** The body's text, invalid UTF-8 bytes replaced: what a failure report shows. */
export function bodyText(body: string | Uint8Array): string {
  if (typeof body === "string") return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
}

/**
 * The body as a JSON object, `__proto__`/`constructor` keys removed. `text`
 * is {@link bodyText} of a raw body. Throws {@link InvalidEventError} (4001)
 * for a body that is not valid UTF-8, not JSON, or not an object; for a body
 * another middleware parsed, whatever its getters throw (an internal fault).
 */
export function bodyObject(body: BodyInput, text: string): Record<string, unknown> {
  let value: unknown;
  if (isParsed(body)) {
    value = sanitize(body.parsed);
  } else {
    if (typeof body !== "string" && !isUtf8(body)) throw invalidJson("the body is not valid UTF-8");
    // A byte-order mark is not JSON but says nothing against the content.
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (json.trim() === "") throw invalidJson("the body is empty: expected a JSON object");
    try {
      value = parseJson(json);
    } catch (error) {
      throw invalidJson(`the body is not JSON: ${error instanceof Error ? error.message : "parse error"}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw invalidJson(`the body must be a JSON object; got ${kind}`);
  }
  return value as Record<string, unknown>;
}

/** A parsed body turned back into text for a failure report; `""` if it cannot be. */
export function parsedText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function invalidJson(message: string): InvalidEventError {
  return new InvalidEventError(message, ErrorCodes.InvalidJson, 400);
}
