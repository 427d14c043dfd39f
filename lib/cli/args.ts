import { parseArgs, type ParseArgsConfig } from "node:util";
import { closest } from "../core/suggest";
import { parseWireJson, WireNumber } from "./wire-json";

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
  "string-ids": { type: "boolean" },
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

/** The environment variables the sending commands read. */
export interface CliEnv {
  /** The callback authentication token, used when `--token` is not given. */
  readonly TRTC_CALLBACK_TOKEN?: string | undefined;
}

/**
 * The callback authentication token to sign with: `--token` when given, else
 * the `TRTC_CALLBACK_TOKEN` environment variable (which keeps it out of the
 * shell's history and of `ps`), else none. An empty `--token`, or a token with
 * surrounding whitespace (which the router refuses), is a usage error; an
 * empty variable counts as unset. The token itself is never in a message.
 */
export function callbackToken(option: string | undefined, env: CliEnv): string | undefined {
  if (option === "") {
    throw new UsageError(
      "--token is empty: is the environment variable holding it unset? Leave --token out to send unsigned, or export TRTC_CALLBACK_TOKEN",
    );
  }
  const [token, from] =
    option !== undefined ? [option, "--token"] : [env.TRTC_CALLBACK_TOKEN, "TRTC_CALLBACK_TOKEN"];
  if (token === undefined || token === "") return undefined;
  if (token.trim() !== token) {
    throw new UsageError(
      `${from} has leading or trailing whitespace (a newline from an env file?): the router refuses such tokens, so remove it`,
    );
  }
  return token;
}

/** Reads `--url`, `--sdk-app-id`, `--timeout` and the token ({@link callbackToken}: `--token` or `env`). */
export function readTarget(
  values: {
    url?: string | undefined;
    "sdk-app-id"?: string | undefined;
    token?: string | undefined;
    timeout?: string | undefined;
  },
  env: CliEnv = {},
): Target {
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
  return {
    url,
    sdkAppId,
    token: callbackToken(values.token, env),
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

/** Whether an assignment changes a field that is there (`--set`) or adds one that is not (`--add`). */
export type AssignmentKind = "set" | "add";

/**
 * Applies one `--set Field=value` or `--add Field=value` to `event`. The
 * path's dots reach into objects and arrays (a numeric segment indexes an
 * array). `--set` changes only a field that is there, so a misspelt path
 * (`Roomid`, `RoomInfo.Roomname`) is a usage error naming the closest field
 * instead of a new field sent unnoticed; `--add` adds a field that is not
 * there, creating the objects and arrays on its way. The value takes the type
 * of the field it replaces: text stays text, a list is a list (JSON or
 * comma-separated); anything else is JSON when it parses (numbers kept as
 * written), else text.
 *
 * @param source - what `event` is, for messages: "the sample of Room.CallbackAfterMemberEnter".
 */
export function applyAssignment(
  event: Record<string, unknown>,
  assignment: string,
  kind: AssignmentKind,
  source: string,
): void {
  const option = `--${kind}`;
  const equals = assignment.indexOf("=");
  if (equals <= 0) {
    throw new UsageError(
      `${option} takes Field=value, such as ${option} RoomId=demo, not ${JSON.stringify(assignment)}`,
    );
  }
  const name = assignment.slice(0, equals);
  const path = name.split(".");
  const text = assignment.slice(equals + 1);
  if (path.some((segment) => segment === "")) {
    throw new UsageError(`${option} ${assignment}: the field path has an empty segment`);
  }
  const field = path[path.length - 1] as string;
  let container: Record<string, unknown> = event;
  for (const [i, segment] of path.slice(0, -1).entries()) {
    let next = own(container, segment);
    if (next === null || typeof next !== "object") {
      if (kind === "set") throw notThere(event, name, assignment, source);
      next = /^\d+$/.test(path[i + 1] ?? "") ? [] : {};
      define(container, segment, next);
    }
    container = next as Record<string, unknown>;
  }
  const there = has(container, field);
  if (kind === "set" && !there) throw notThere(event, name, assignment, source);
  if (kind === "add" && there) {
    throw new UsageError(
      `--add ${assignment}: ${source} already has ${name}; change it with --set ${assignment}`,
    );
  }
  define(container, field, valueFor(own(container, field), text));
}

function notThere(event: object, name: string, assignment: string, source: string): UsageError {
  const hint = closest(name, fieldPaths(event));
  return new UsageError(
    `--set ${assignment}: ${source} has no field ${name}${hint ? `; did you mean ${hint}?` : ""} Nothing was sent. To add a new field, use --add ${assignment}`,
  );
}

// Enough for any event worth editing on a command line, and bounded for a huge --file.
const MAX_PATHS = 10_000;

/** Every field path of `value` (`RoomInfo`, `RoomInfo.RoomName`, `SeatList.0.Index`), breadth first. */
function fieldPaths(value: object): string[] {
  const paths: string[] = [];
  const queue: [string, unknown][] = [["", value]];
  for (let at = 0; at < queue.length && paths.length < MAX_PATHS; at++) {
    const [prefix, node] = queue[at] as [string, unknown];
    if (node === null || typeof node !== "object" || node instanceof WireNumber) continue;
    for (const key of Object.keys(node)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      paths.push(path);
      queue.push([path, (node as Record<string, unknown>)[key]]);
    }
  }
  return paths;
}

function valueFor(current: unknown, text: string): unknown {
  if (typeof current === "string") return text;
  if (Array.isArray(current) && !text.startsWith("[")) {
    return text === "" ? [] : text.split(",").map((item) => item.trim());
  }
  try {
    return parseWireJson(text);
  } catch {
    return text;
  }
}

function has(object: Record<string, unknown>, key: string): boolean {
  if (Array.isArray(object)) return /^\d+$/.test(key) && Number(key) < object.length;
  return Object.prototype.hasOwnProperty.call(object, key);
}

function own(object: Record<string, unknown>, key: string): unknown {
  return has(object, key) ? object[key] : undefined;
}

// defineProperty, not assignment: a field named `__proto__` is sent as a field.
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
