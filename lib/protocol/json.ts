/**
 * JSON parsing for callback bodies: exact for integers beyond 2^53, exact or
 * refused for user IDs, and safe against prototype pollution, at the cost of
 * `JSON.parse` alone for the bodies Tencent usually sends and of one linear
 * pass over the text more for any other.
 */

/**
 * A user ID written as a number with a fraction or an exponent (or `-0`
 * spelled in such a way): `JSON.parse` would hand on a different number, or
 * one that no longer says what was sent, so the body is refused.
 */
export class InexactIdError extends Error {
  override readonly name = "InexactIdError";
  /**
   * @param field - the field's name (for a list, the list's).
   * @param literal - the number as written, capped.
   */
  constructor(
    readonly field: string,
    readonly literal: string,
  ) {
    super(
      `"${field}" holds the number ${literal}, which is no exact user ID: send user IDs as strings or as integers without fraction or exponent`,
    );
  }
}

/**
 * Parses JSON text. Bare integers of 16 digits or more become their exact
 * decimal strings (Tencent sends 18-digit user IDs as numbers); `__proto__`
 * and `constructor` members are dropped; a number with a fraction or an
 * exponent as the value of a user-ID field (a name ending in `_Account`, or
 * `RoomId`, or an entry of a list under such a name) throws
 * {@link InexactIdError}. Throws `SyntaxError` on invalid JSON.
 *
 * @example
 * ```ts
 * parseJson('{"MemberList_Account":[144115233775727695]}'); // { MemberList_Account: ["144115233775727695"] }
 * ```
 */
export function parseJson(text: string): unknown {
  return JSON.parse(needsRewriting(text) ? rewrite(text) : text);
}

/**
 * Whether the text has anything the rewriting pass acts on: a prototype key
 * (also when spelled with escapes, so any `\u` counts), a number with a
 * fraction or an exponent, or a run of 16 digits. `includes` for the literal
 * ones: far cheaper than one regular expression with alternatives.
 */
function needsRewriting(text: string): boolean {
  return (
    text.includes("__proto__") ||
    text.includes("constructor") ||
    text.includes("\\u") ||
    hasFractionOrExponent(text) ||
    hasLongDigitRun(text)
  );
}

/**
 * Whether the text has a number token with a fraction or an exponent: digits
 * followed by `.`, `e` or `E`, standing right after `:`, `,` or `[` (and JSON
 * whitespace, and a `-`). Digits inside strings such as `"user_b81d4e07"` or
 * `"1.2.3.4"` do not send an ordinary body through the rewriting pass; a
 * string that happens to contain `: 1.5` only costs that pass, never a wrong
 * result. Each mark is found with `indexOf` and each digit run walked once per
 * mark, so the work stays linear whatever the text (a regular expression over
 * a megabyte of digits was not).
 */
function hasFractionOrExponent(text: string): boolean {
  for (const mark of [".", "e", "E"]) {
    for (let at = text.indexOf(mark, 1); at > 0; at = text.indexOf(mark, at + 1)) {
      let first = at - 1;
      if (!isDigit(text.charCodeAt(first))) continue;
      while (first > 0 && isDigit(text.charCodeAt(first - 1))) first--;
      let before = first - 1;
      if (text.charCodeAt(before) === MINUS) before--;
      while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
      const c = text.charCodeAt(before);
      if (c === COLON || c === COMMA || c === OPEN_BRACKET) return true;
    }
  }
  return false;
}

/**
 * Whether `text` has a run of 16 or more digits: an integer that long may be
 * beyond Number.MAX_SAFE_INTEGER. Such a run covers one of every 16
 * positions, so only those are looked at first.
 */
function hasLongDigitRun(text: string): boolean {
  for (let i = 15; i < text.length; i += 16) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    // Only as far as 16 digits: a megabyte of zeros is one run, not a megabyte to walk.
    let end = i + 1;
    while (end - start < 16 && end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= 16) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** What the innermost open container is: an object, a list, or a list of user IDs (its key). */
const OBJECT = 0;
const LIST = 1;
type Frame = typeof OBJECT | typeof LIST | string;

/** The longest number echoed in an {@link InexactIdError}. */
const LITERAL_CAP = 40;

/**
 * One pass over the text, without building anything but the rewritten text:
 * quotes bare integers of 16 or more digits, drops `__proto__` and
 * `constructor` members, and throws {@link InexactIdError} for a user ID
 * written with a fraction or an exponent. Text that is not JSON is left for
 * `JSON.parse` to refuse: nothing here makes invalid JSON valid (the dropped
 * members' values are parsed too, and a member is dropped only where a member
 * may stand).
 */
function rewrite(text: string): string {
  let out = "";
  const dropped: string[] = [];
  let copied = 0;
  const stack: Frame[] = [];
  // The last key read in the innermost object, when it names a user ID.
  let idKey: string | undefined;
  // The comma cut with the last dropped member, when it was cut after it.
  let cutComma = -1;
  // The next backslash at or after the current position: found once, not once per key.
  let backslash = -1;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      i = endOfString(text, i);
      if (stack[stack.length - 1] !== OBJECT) continue;
      const colon = skipSpace(text, i);
      if (text.charCodeAt(colon) !== COLON) continue;
      if (backslash !== -2 && backslash <= start) {
        backslash = text.indexOf("\\", start);
        if (backslash < 0) backslash = -2;
      }
      const kind = backslash >= 0 && backslash < i ? escapedKeyKind(text, start, i) : keyKind(text, start, i);
      if (kind === PROTOTYPE_KEY) {
        const span = memberSpan(text, start, colon + 1, cutComma);
        // A key with no member around it only stands in invalid JSON: refuse it now, before
        // another such key scans the rest of the text again (nested unclosed keys would be quadratic).
        if (span === undefined) refuse(text);
        dropped.push(text.slice(span.valueStart, span.valueEnd));
        out += text.slice(copied, span.from);
        cutComma = text.charCodeAt(span.to - 1) === COMMA ? span.to - 1 : -1;
        copied = span.to;
        i = span.to;
        continue;
      }
      idKey = typeof kind === "string" ? kind : undefined;
      i = colon + 1;
    } else if (c === OPEN_BRACE) {
      stack.push(OBJECT);
      idKey = undefined;
      i++;
    } else if (c === OPEN_BRACKET) {
      stack.push(stack[stack.length - 1] === OBJECT && idKey !== undefined ? idKey : LIST);
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      idKey = undefined;
      i++;
    } else if (c === MINUS || isDigit(c)) {
      const start = i;
      let digits = 0;
      let exact = true;
      if (c === MINUS) i++;
      while (i < length) {
        const d = text.charCodeAt(i);
        if (isDigit(d)) digits++;
        else if (d === DOT || d === 0x65 || d === 0x45 || d === 0x2b || d === MINUS) exact = false;
        else break;
        i++;
      }
      const top = stack[stack.length - 1];
      const field = typeof top === "string" ? top : top === OBJECT ? idKey : undefined;
      if (!exact && field !== undefined) {
        const literal = text.slice(start, Math.min(i, start + LITERAL_CAP));
        throw new InexactIdError(field, i - start > LITERAL_CAP ? `${literal}…` : literal);
      }
      // A leading zero, or a number used as a key, is invalid JSON: left for JSON.parse to refuse.
      const first = text.charCodeAt(c === MINUS ? start + 1 : start);
      if (exact && digits >= 16 && first !== ZERO && text.charCodeAt(skipSpace(text, i)) !== COLON) {
        out += text.slice(copied, start) + '"' + text.slice(start, i) + '"';
        copied = i;
      }
    } else {
      i++;
    }
  }
  if (dropped.length > 0) checkDropped(text, dropped);
  if (copied === 0) return text;
  return out + text.slice(copied);
}

/** Throws JSON.parse's own `SyntaxError` when a dropped member's value was not JSON. */
function checkDropped(text: string, dropped: readonly string[]): void {
  try {
    // One parse for all of them: each slice is one whole value or one token, so the list
    // parses exactly when every value does.
    JSON.parse(`[${dropped.join(",")}]`);
  } catch {
    JSON.parse(text);
    throw new SyntaxError("invalid JSON in a __proto__ or constructor member");
  }
}

/** What a key is to the rewriting pass: a prototype key, a user-ID key (its name), or neither. */
const PROTOTYPE_KEY = 0;
const OTHER_KEY = 1;
type KeyKind = typeof PROTOTYPE_KEY | typeof OTHER_KEY | string;

/** The kind of the key whose string token spans `start` to `end`, without escapes. */
function keyKind(text: string, start: number, end: number): KeyKind {
  const length = end - start - 2;
  if (length === 9 && text.startsWith("__proto__", start + 1)) return PROTOTYPE_KEY;
  if (length === 11 && text.startsWith("constructor", start + 1)) return PROTOTYPE_KEY;
  if (
    (length === 6 && text.startsWith("RoomId", start + 1)) ||
    (length >= 8 && text.startsWith("_Account", end - 9))
  ) {
    return text.slice(start + 1, end - 1);
  }
  return OTHER_KEY;
}

/** The kind of a key written with escapes, decoded. */
function escapedKeyKind(text: string, start: number, end: number): KeyKind {
  const key = decodeString(text, start + 1, end - 1);
  if (key === undefined) return OTHER_KEY;
  if (key === "__proto__" || key === "constructor") return PROTOTYPE_KEY;
  return isIdKey(key) ? key : OTHER_KEY;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** The text of a JSON string's content; `undefined` for an invalid escape (JSON.parse refuses it). */
function decodeString(text: string, from: number, to: number): string | undefined {
  let out = "";
  let copied = from;
  let i = text.indexOf("\\", from);
  while (i >= 0 && i < to) {
    out += text.slice(copied, i);
    const escape = text.charCodeAt(i + 1);
    if (escape === 0x75) {
      let code = 0;
      for (let k = i + 2; k < i + 6; k++) {
        const digit = hexValue(text.charCodeAt(k));
        if (digit < 0) return undefined;
        code = code * 16 + digit;
      }
      out += String.fromCharCode(code);
      i += 6;
    } else {
      const simple = SIMPLE_ESCAPES[text.charAt(i + 1)];
      if (simple === undefined) return undefined;
      out += simple;
      i += 2;
    }
    copied = i;
    i = text.indexOf("\\", i);
  }
  return out + text.slice(copied, to);
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** The index just past the string starting at `start` (a quote), or the text's length. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** The first index at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return i;
}

/** Whether a key names a user ID, as Tencent names them: `*_Account`, and `RoomId`. */
export function isIdKey(key: string): boolean {
  return key === "RoomId" || key.endsWith("_Account");
}

/** Throws JSON.parse's own SyntaxError for a text already known to be invalid. */
function refuse(text: string): never {
  JSON.parse(text);
  throw new SyntaxError("Unexpected token in JSON: a key that is not part of a member");
}

/**
 * The span to cut to drop the member whose key starts at `keyStart` and whose
 * value starts after `valueFrom`: the member and one comma beside it
 * (`cutComma` is the comma cut with the member before, or -1), and where its
 * value lies, to be checked. `undefined` when the member is not where a
 * member may stand: the text is then left as it is, for JSON.parse to refuse.
 */
function memberSpan(
  text: string,
  keyStart: number,
  valueFrom: number,
  cutComma: number,
): { from: number; to: number; valueStart: number; valueEnd: number } | undefined {
  const valueStart = skipSpace(text, valueFrom);
  const valueEnd = endOfValue(text, valueStart);
  // No value at all: `[]` would take that for an empty list.
  if (valueEnd === valueStart) return undefined;
  let before = keyStart - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
  const after = skipSpace(text, valueEnd);
  const next = text.charCodeAt(after);
  if (next !== COMMA && next !== CLOSE_BRACE) return undefined;
  // A comma already cut (with the member before, also dropped) leaves this member first.
  const previous = before === cutComma ? OPEN_BRACE : text.charCodeAt(before);
  if (previous === COMMA) return { from: before, to: valueEnd, valueStart, valueEnd };
  if (previous !== OPEN_BRACE) return undefined;
  if (next === CLOSE_BRACE) return { from: keyStart, to: valueEnd, valueStart, valueEnd };
  // `{"constructor":1,}` must stay invalid: a member has to follow the comma.
  return text.charCodeAt(skipSpace(text, after + 1)) === QUOTE
    ? { from: keyStart, to: after + 1, valueStart, valueEnd }
    : undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index just past the JSON value starting at `start` (not checked: JSON.parse does). */
function endOfValue(text: string, start: number): number {
  const c = text.charCodeAt(start);
  if (c === QUOTE) return endOfString(text, start);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        i = endOfString(text, i);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    i++;
  }
  return i;
}

/**
 * Wraps every bare integer token of 16 or more digits in quotes, leaving
 * strings, fractions and exponents alone, and drops prototype members as
 * {@link parseJson} does. Invalid JSON stays invalid.
 */
export function quoteLongIntegers(text: string): string {
  return rewrite(text);
}

/**
 * Removes own `__proto__` and `constructor` keys everywhere in a value another
 * middleware parsed, without recursion (bodies may nest deeply), so no later
 * copy or merge can reach `Object.prototype` through them. Returns the value.
 */
export function sanitize<T>(root: T): T {
  // A value from JSON text is a tree: walked without remembering what was seen, in time linear
  // in its size. Past SHARED_BUDGET visits it may be a graph (another middleware's objects can
  // be shared or loop back): walked again, remembering.
  if (!walk(root, SHARED_BUDGET, undefined)) walk(root, Infinity, new Set<object>());
  return root;
}

/**
 * Visits of a value after which its walk starts again, remembering every object seen: more
 * objects and arrays than a body within the default 1 MiB `limit` can hold (each takes at
 * least three bytes, `[],`), few enough that a cycle costs milliseconds.
 */
const SHARED_BUDGET = 400_000;

/** Walks `root`, cleaning every object; `false` when it gave up after `budget` visits. */
function walk(root: unknown, budget: number, seen: Set<object> | undefined): boolean {
  const stack: object[] = [];
  if (root !== null && typeof root === "object") stack.push(root);
  let visits = 0;
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (seen !== undefined) {
      if (seen.has(node)) continue;
      seen.add(node);
    }
    if (++visits > budget) return false;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (item !== null && typeof item === "object") stack.push(item);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, "__proto__")) delete record["__proto__"];
    if (Object.prototype.hasOwnProperty.call(record, "constructor")) delete record["constructor"];
    // for-in lists no more than Object.keys here (plain objects) without allocating the list.
    for (const key in record) {
      const item = record[key];
      if (item !== null && typeof item === "object") stack.push(item);
    }
  }
  return true;
}

/** An open object or array while {@link stringifyJson} writes it. */
interface Open {
  readonly node: Record<string, unknown>;
  /** The object's keys; `undefined` for an array. */
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  index: number;
}

/**
 * `JSON.stringify(value)` without recursion, so a value of any depth (a body
 * another middleware parsed) can be written back: the same text for every
 * value `JSON.stringify` can handle (no replacer, no indentation), and the
 * same `TypeError` for a cycle or a BigInt. `undefined` for a value JSON
 * cannot hold (`undefined`, a function, a symbol).
 *
 * @example
 * ```ts
 * stringifyJson({ a: [1, undefined] }); // '{"a":[1,null]}'
 * ```
 */
export function stringifyJson(value: unknown): string | undefined {
  const out: string[] = [];
  const stack: Open[] = [];
  const ancestors = new Set<object>();

  /** Writes a primitive, or opens an object or array; `false` when JSON has no such value. */
  const write = (item: unknown): boolean => {
    if (item === null) out.push("null");
    else if (typeof item === "string") out.push(JSON.stringify(item));
    else if (typeof item === "number") out.push(Number.isFinite(item) ? String(item) : "null");
    else if (typeof item === "boolean") out.push(item ? "true" : "false");
    else if (typeof item === "bigint") throw new TypeError("Do not know how to serialize a BigInt");
    else if (typeof item === "object") {
      if (ancestors.has(item)) throw new TypeError("Converting circular structure to JSON");
      ancestors.add(item);
      const node = item as Record<string, unknown>;
      if (Array.isArray(item)) {
        out.push("[");
        stack.push({ node, keys: undefined, length: item.length, index: 0 });
      } else {
        out.push("{");
        const keys = Object.keys(node);
        stack.push({ node, keys, length: keys.length, index: 0 });
      }
    } else return false;
    return true;
  };

  if (!write(jsonValue(value, ""))) return undefined;
  while (stack.length > 0) {
    const open = stack[stack.length - 1] as Open;
    if (open.index >= open.length) {
      out.push(open.keys === undefined ? "]" : "}");
      ancestors.delete(open.node);
      stack.pop();
      continue;
    }
    const index = open.index++;
    if (open.keys === undefined) {
      if (index > 0) out.push(",");
      if (!write(jsonValue(open.node[index], String(index)))) out.push("null");
      continue;
    }
    const key = open.keys[index] as string;
    const item = jsonValue(open.node[key], key);
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    // Written after the check: a member JSON cannot hold leaves no key behind.
    const commaAt = out.length;
    out.push(commaAt > 0 && !isOpening(out[commaAt - 1]) ? "," : "", JSON.stringify(key), ":");
    write(item);
  }
  return out.join("");
}

function isOpening(part: string | undefined): boolean {
  return part === "{" || part === "[";
}

/** A value as JSON sees it: after its `toJSON(key)`, boxed primitives unboxed. */
function jsonValue(value: unknown, key: string): unknown {
  if ((typeof value === "object" && value !== null) || typeof value === "bigint") {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = (toJSON as (key: string) => unknown).call(value, key);
  }
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Number) return Number(value);
  if (value instanceof String) return String(value);
  if (value instanceof Boolean) return value.valueOf();
  return value;
}
