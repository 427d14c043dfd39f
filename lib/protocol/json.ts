/**
 * JSON parsing for callback bodies: exact for integers beyond 2^53 and safe
 * against prototype pollution, at the cost of `JSON.parse` alone for the
 * bodies Tencent usually sends.
 */

/**
 * Parses JSON text. Bare integers of 16 digits or more become their exact
 * decimal strings (Tencent sends 18-digit user IDs as numbers); `__proto__`
 * and `constructor` keys are dropped. Throws `SyntaxError` on invalid JSON.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(hasLongDigitRun(text) ? quoteLongIntegers(text) : text);
  // A key may spell either name with escapes ("\u005f_proto__"), so any `\u` counts too.
  return text.includes("__proto__") || text.includes("constructor") || text.includes("\\u")
    ? sanitize(value)
    : value;
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
    let end = i + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= 16) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Wraps every bare integer token of 16 or more digits in quotes, leaving
 * strings, fractions and exponents alone. Invalid JSON stays invalid, so
 * `JSON.parse` still reports it: a leading zero or a number used as a key
 * (followed by `:`) is left as written.
 */
export function quoteLongIntegers(text: string): string {
  let out = "";
  let copied = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      while (i < length) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i++;
      }
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const start = i;
      i++;
      while (i < length && isNumberChar(text.charCodeAt(i))) i++;
      const token = text.slice(start, i);
      if (/^-?[1-9]\d{15,}$/.test(token) && nextSignificant(text, i) !== COLON) {
        out += `${text.slice(copied, start)}"${token}"`;
        copied = i;
      }
    } else {
      i++;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The first character at or after `i` that is not JSON whitespace, or NaN at the end. */
function nextSignificant(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return c;
}

function isNumberChar(c: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;
}

/**
 * Removes own `__proto__` and `constructor` keys everywhere in a parsed value,
 * without recursion (bodies may nest deeply), so no later copy or merge can
 * reach `Object.prototype` through them. Returns the value.
 */
export function sanitize<T>(root: T): T {
  const stack: unknown[] = [root];
  // A body parsed by another middleware may share or loop back to objects.
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    const record = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(record, "__proto__")) delete record["__proto__"];
    if (Object.prototype.hasOwnProperty.call(record, "constructor")) delete record["constructor"];
    for (const key of Object.keys(record)) stack.push(record[key]);
  }
  return root;
}
