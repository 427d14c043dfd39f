import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake on the command line: the message says what to change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** Where callbacks go and how they are signed. */
export interface Target {
  url: URL;
  sdkAppId: string;
  token: string | undefined;
  timeoutMs: number;
}

/** The options every sending command takes. */
export const TARGET_OPTIONS = {
  url: { type: "string" },
  "sdk-app-id": { type: "string" },
  token: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** `parseArgs`, strict, with its errors turned into {@link UsageError}s. */
export function parse<const Options extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: Options,
): ReturnType<typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: true }>> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Reads `--url`, `--sdk-app-id`, `--token` and `--timeout`. */
export function readTarget(values: {
  url?: string | undefined;
  "sdk-app-id"?: string | undefined;
  token?: string | undefined;
  timeout?: string | undefined;
}): Target {
  if (values.url === undefined) {
    throw new UsageError("--url is required: the callback URL, such as http://127.0.0.1:3000/trtc");
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(
      `--url must be an absolute http(s) URL, such as http://127.0.0.1:3000/trtc, not ${values.url}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must be an http or https URL, not ${url.protocol}`);
  }
  const sdkAppId = values["sdk-app-id"];
  if (sdkAppId === undefined)
    throw new UsageError("--sdk-app-id is required: your app's SDKAppID, such as 1400000001");
  if (!/^\d+$/.test(sdkAppId))
    throw new UsageError(`--sdk-app-id must be digits, such as 1400000001, not ${sdkAppId}`);
  if (values.token === "") {
    throw new UsageError(
      "--token is empty: is the environment variable holding it unset? Leave --token out to send unsigned",
    );
  }
  return {
    url,
    sdkAppId,
    token: values.token,
    timeoutMs: readInteger(values.timeout, "--timeout", 1, 600_000, 10_000),
  };
}

/** An integer option within `[min, max]`, or `fallback` when absent. */
export function readInteger(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return number;
}

// Integers this long may be beyond 2^53: kept as the exact text, as the router hands them on.
const LONG_INTEGER = /^-?\d{16,}$/;

/**
 * Applies one `--set Field=value` to `event`. The path's dots reach into
 * objects and arrays (a numeric segment indexes an array). The value takes
 * the type of the field it replaces: text stays text, a list is a list (JSON
 * or comma-separated); anything else is JSON when it parses, else text.
 */
export function applySet(event: Record<string, unknown>, assignment: string): void {
  const equals = assignment.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(
      `--set takes Field=value, such as --set RoomId=demo, not ${JSON.stringify(assignment)}`,
    );
  }
  const path = assignment.slice(0, equals).split(".");
  const text = assignment.slice(equals + 1);
  if (path.some((segment) => segment === "")) {
    throw new UsageError(`--set ${assignment}: the field path has an empty segment`);
  }
  let container: Record<string, unknown> = event;
  for (const [i, segment] of path.slice(0, -1).entries()) {
    let next = own(container, segment);
    if (next === null || typeof next !== "object") {
      next = /^\d+$/.test(path[i + 1] ?? "") ? [] : {};
      define(container, segment, next);
    }
    container = next as Record<string, unknown>;
  }
  const field = path[path.length - 1] as string;
  define(container, field, valueFor(own(container, field), text));
}

function valueFor(current: unknown, text: string): unknown {
  if (typeof current === "string") return text;
  if (Array.isArray(current) && !text.startsWith("[")) {
    return text === "" ? [] : text.split(",").map((item) => item.trim());
  }
  if (LONG_INTEGER.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function own(object: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

// defineProperty, not assignment: a field named `__proto__` is sent as a field.
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
