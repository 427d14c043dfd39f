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

// A callback's query has half a dozen parameters: parallel arrays searched
// linearly beat a dictionary, and one class beats two closures per request.
class ParsedQuery implements CallbackQuery {
  constructor(
    readonly raw: string,
    private readonly names: readonly string[],
    private readonly values: readonly string[],
    private readonly repeated: readonly string[] | undefined,
  ) {}

  get(name: string): string | undefined {
    const index = this.names.indexOf(name);
    return index === -1 ? undefined : this.values[index];
  }

  isRepeated(name: string): boolean {
    return this.repeated !== undefined && this.repeated.includes(name);
  }
}

/** Parses the query of a request target such as `/trtc?SdkAppid=1&CallbackCommand=…`. */
export function parseQuery(url: string): CallbackQuery {
  const start = url.indexOf("?");
  const raw = start === -1 ? "" : url.slice(start + 1);
  // Tencent's queries carry no escapes: then nothing needs decoding.
  const escaped = raw.includes("%") || raw.includes("+");
  const names: string[] = [];
  const values: string[] = [];
  let repeated: string[] | undefined;
  for (let from = 0; from < raw.length;) {
    let end = raw.indexOf("&", from);
    if (end === -1) end = raw.length;
    if (end > from) {
      const eq = raw.indexOf("=", from);
      const split = eq === -1 || eq > end ? end : eq;
      let name = raw.slice(from, split);
      let value = split === end ? "" : raw.slice(split + 1, end);
      if (escaped) {
        name = decode(name);
        value = decode(value);
      }
      name = name.toLowerCase();
      if (!names.includes(name)) {
        names.push(name);
        values.push(value);
      } else if (repeated === undefined) repeated = [name];
      else if (!repeated.includes(name)) repeated.push(name);
    }
    from = end + 1;
  }
  return new ParsedQuery(raw, names, values, repeated);
}

function decode(text: string): string {
  // `unescape` never throws: a malformed escape stays as written.
  return text.includes("%") || text.includes("+") ? unescape(text.replace(/\+/g, " ")) : text;
}
