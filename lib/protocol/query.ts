/** A request's query string, read the way Tencent's pages spell it: names match case-insensitively. */
export interface CallbackQuery {
  /** The first value of `name` (lower-case), or `undefined` when absent. */
  get(name: string): string | undefined;
  /** Whether `name` (lower-case) appears more than once. */
  isRepeated(name: string): boolean;
  /** The query string as received, without the `?`. */
  readonly raw: string;
}

// Lower-case name -> first value; a name seen again is marked repeated. A Map keeps the parse
// linear in the number of parameters, however many an operator's header limit lets through.
class ParsedQuery implements CallbackQuery {
  constructor(
    readonly raw: string,
    private readonly values: ReadonlyMap<string, string>,
    private readonly repeated: ReadonlySet<string> | undefined,
  ) {}

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  isRepeated(name: string): boolean {
    return this.repeated !== undefined && this.repeated.has(name);
  }
}

/** Parses the query of a request target such as `/trtc?SdkAppid=1&CallbackCommand=…`. */
export function parseQuery(url: string): CallbackQuery {
  const start = url.indexOf("?");
  const raw = start === -1 ? "" : url.slice(start + 1);
  // Tencent's queries carry no escapes: then nothing needs decoding.
  const escaped = raw.includes("%") || raw.includes("+");
  const values = new Map<string, string>();
  let repeated: Set<string> | undefined;
  for (let from = 0; from < raw.length;) {
    let end = raw.indexOf("&", from);
    if (end === -1) end = raw.length;
    if (end > from) {
      // Look for "=" inside this parameter only: a search to the end of the query would make the parse quadratic.
      let split = from;
      while (split < end && raw.charCodeAt(split) !== 0x3d) split++;
      let name = raw.slice(from, split);
      let value = split === end ? "" : raw.slice(split + 1, end);
      if (escaped) {
        name = decodeComponent(name);
        value = decodeComponent(value);
      }
      name = name.toLowerCase();
      if (!values.has(name)) values.set(name, value);
      else (repeated ??= new Set()).add(name);
    }
    from = end + 1;
  }
  return new ParsedQuery(raw, values, repeated);
}

const LENIENT_UTF8 = new TextDecoder();

/**
 * Decodes `+` and `%XX` escapes as a form does. A malformed escape stays as
 * written and invalid UTF-8 becomes U+FFFD: a query never makes parsing throw.
 */
export function decodeComponent(text: string): string {
  if (!text.includes("%") && !text.includes("+")) return text;
  const plus = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(plus);
  } catch {
    // Each run of well-formed escapes is decoded on its own; the rest stays as written.
    return plus.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      const bytes = new Uint8Array(run.length / 3);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
      return LENIENT_UTF8.decode(bytes);
    });
  }
}
