import { InexactIdError, parseJson, sanitize, stringifyJson } from "../protocol/json";
import { ErrorCodes, InvalidEventError } from "./errors";

/** A body as the transport has it: raw bytes, text, or already parsed by an earlier middleware. */
export type BodyInput = string | Uint8Array | { readonly parsed: unknown };

/** Whether an earlier middleware parsed the body. */
export function isParsed(body: BodyInput): body is { readonly parsed: unknown } {
  return typeof body === "object" && "parsed" in body;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The body's text; `undefined` when its bytes are not valid UTF-8. */
export function decodeBody(body: string | Uint8Array): string | undefined {
  if (typeof body === "string") return body;
  try {
    return STRICT_UTF8.decode(body);
  } catch {
    return undefined;
  }
}

/** The text of bytes that may not be valid UTF-8, invalid sequences replaced: what a failure report shows. */
export function lenientText(body: Uint8Array): string {
  return LENIENT_UTF8.decode(body);
}

/**
 * The body as a JSON object of the core's own (a body another middleware
 * parsed is copied at its top level), `__proto__`/`constructor` keys removed. `text`
 * is the decoded raw body, or `undefined` when its bytes are not UTF-8.
 * Throws {@link InvalidEventError} (4001) for a body that is not valid UTF-8,
 * not JSON, or not an object, and (4002) for a user ID written as a number
 * with a fraction or an exponent; for a body another middleware parsed,
 * whatever its getters throw (an internal fault).
 */
export function bodyObject(body: BodyInput, text: string | undefined): Record<string, unknown> {
  let value: unknown;
  if (isParsed(body)) {
    value = sanitize(body.parsed);
  } else {
    if (text === undefined) throw invalidJson("the body is not valid UTF-8");
    // A byte-order mark is not JSON but says nothing against the content.
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (json.trim() === "") throw invalidJson("the body is empty: expected a JSON object");
    try {
      value = parseJson(json);
    } catch (error) {
      // Valid JSON, but a user ID the number parser would not keep exact: a schema failure.
      if (error instanceof InexactIdError)
        throw new InvalidEventError(error.message, ErrorCodes.InvalidEvent, 400);
      throw invalidJson(`the body is not JSON: ${error instanceof Error ? error.message : "parse error"}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw invalidJson(`the body must be a JSON object; got ${kind}`);
  }
  // The object returned is the core's own, to become the event: not the app's `req.body`.
  return isParsed(body)
    ? (Object.assign({}, value) as Record<string, unknown>)
    : (value as Record<string, unknown>);
}

/**
 * A parsed body turned back into text for a failure report, however deep it
 * nests (`JSON.stringify` throws `RangeError` past a few thousand levels);
 * `""` if it cannot be (a cycle, a BigInt, a getter that throws).
 */
export function parsedText(value: unknown): string {
  try {
    return stringifyJson(value) ?? "";
  } catch {
    return "";
  }
}

function invalidJson(message: string): InvalidEventError {
  return new InvalidEventError(message, ErrorCodes.InvalidJson, 400);
}
