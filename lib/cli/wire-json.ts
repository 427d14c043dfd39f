import { randomUUID } from "node:crypto";

/**
 * A JSON number exactly as it was written (`144115233775727695`, `1.50`):
 * read from a file or a `--set` value, and written back bare, digit for digit.
 */
export class WireNumber {
  constructor(readonly text: string) {}
}

// JSON's number grammar: a token that does not match stays as written, so JSON.parse still rejects it.
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// A user ID that JSON.parse may round: Tencent sends such IDs as bare numbers.
const LONG_ID = /^[1-9]\d{15,}$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Parses JSON text, keeping every number as a {@link WireNumber} of its text,
 * so that {@link toWireJson} writes the numbers back as they were. Keys such
 * as `__proto__` stay ordinary fields. Throws `SyntaxError` on invalid JSON.
 */
export function parseWireJson(text: string): unknown {
  const marker = newMarker();
  let out = "";
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i < text.length && /[-+.eE0-9]/.test(text[i] as string)) i++;
      const token = text.slice(start, i);
      if (NUMBER.test(token) && nextSignificant(text, i) !== COLON) {
        out += `${text.slice(copied, start)}"${marker}${token}"`;
        copied = i;
      }
    } else {
      i++;
    }
  }
  return JSON.parse(out + text.slice(copied), (_key, value: unknown) =>
    typeof value === "string" && value.startsWith(marker)
      ? new WireNumber(value.slice(marker.length))
      : value,
  );
}

/**
 * The event as Tencent would send it (indented by `indent` spaces, default none): user IDs
 * (`*_Account` fields and the entries of `*_Account` lists) of 16 digits or
 * more as bare JSON numbers, as Tencent's samples show them, and every
 * {@link WireNumber} as written. With `stringIds`, those IDs are strings
 * instead, bare ones included.
 */
export function toWireJson(value: unknown, options: { stringIds: boolean; indent?: number }): string {
  const marker = newMarker();
  const id = (item: unknown): unknown => {
    if (options.stringIds) return item instanceof WireNumber && /^-?\d+$/.test(item.text) ? item.text : item;
    return typeof item === "string" && LONG_ID.test(item) ? new WireNumber(item) : item;
  };
  const json = JSON.stringify(
    value,
    function (this: unknown, key: string, item: unknown): unknown {
      if (!Array.isArray(this) && key.endsWith("_Account"))
        item = Array.isArray(item) ? item.map(id) : id(item);
      return item instanceof WireNumber ? `${marker}${item.text}` : item;
    },
    options.indent,
  );
  // The marker is only letters, digits, "-" and ":", and a number's text needs no escaping.
  return json.replace(new RegExp(`"${marker}([^"]*)"`, "g"), "$1");
}

/** A prefix no text in the input can start with by chance. */
function newMarker(): string {
  return `wire-number-${randomUUID()}:`;
}

function nextSignificant(text: string, from: number): number | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return undefined;
}
