import { unescape } from "node:querystring";

/** A request's query string, read the way Tencent's pages spell it: names match case-insensitively. */
export interface CallbackQuery {
  /** The value of `name` (lower-case), or `undefined` when absent. */
  get(name: string): string | undefined;
  /** Whether `name` (lower-case) appears more than once. */
  isRepeated(name: string): boolean;
  /** The query string as received, without the `?`. */
  readonly raw: string;
}

/** Parses the query of a request target such as `/trtc?SdkAppid=1&CallbackCommand=…`. */
export function parseQuery(url: string): CallbackQuery {
  const start = url.indexOf("?");
  const raw = start === -1 ? "" : url.slice(start + 1);
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  let repeated: Set<string> | undefined;
  if (raw !== "") {
    for (const pair of raw.split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const name = decode(eq === -1 ? pair : pair.slice(0, eq)).toLowerCase();
      const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
      if (name in values) (repeated ??= new Set()).add(name);
      else values[name] = value;
    }
  }
  return {
    raw,
    get: (name) => values[name],
    isRepeated: (name) => repeated?.has(name) ?? false,
  };
}

function decode(text: string): string {
  // `unescape` never throws: a malformed escape stays as written.
  return text.includes("%") || text.includes("+") ? unescape(text.replace(/\+/g, " ")) : text;
}
