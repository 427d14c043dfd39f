import { ConfigurationError } from "../index";
import { checkIdentifier, checkSdkAppId, checkSecretKey, checkWholeNumber, kind } from "./checks";
import { closest } from "../core/suggest";
import { isRegion, REGION_NAMES, REGIONS, type Region } from "./regions";

/** Options of {@link createRoomConfigClient}. */
export interface RoomConfigClientOptions {
  /** The app's SDKAppID, such as `1400000001`. */
  sdkAppId: number | string;
  /**
   * The app's secret key from Tencent's console, such as
   * `process.env.TRTC_SECRET_KEY`. It signs each request's UserSig and never
   * appears in a message or a trace.
   */
  secretKey: string | undefined;
  /**
   * An admin account of the app, which the requests are made as.
   *
   * @defaultValue `"administrator"`
   */
  identifier?: string | undefined;
  /**
   * The data centre the app lives in.
   *
   * @defaultValue `"china"` (`console.tim.qq.com`)
   */
  region?: Region | undefined;
  /**
   * A base URL replacing the region's host, such as a private gateway's
   * `"https://gateway.example.com"`; `/v4/room_config/…` is appended to its path.
   *
   * @defaultValue `https://<the region's host>`
   */
  endpoint?: string | undefined;
  /**
   * How long to wait for each answer, in ms. Tencent advises more than 3 s.
   *
   * @defaultValue `10000`
   */
  timeoutMs?: number | undefined;
}

/** The options, checked, with defaults filled in. */
export interface ClientSettings {
  readonly sdkAppId: number;
  readonly secretKey: string;
  readonly identifier: string;
  /** The URL `/v4/room_config/<api>` is resolved against. */
  readonly base: URL;
  readonly host: string;
  readonly timeoutMs: number;
}

const WHERE = "createRoomConfigClient";
const NAMES = [
  "sdkAppId",
  "secretKey",
  "identifier",
  "region",
  "endpoint",
  "timeoutMs",
] as const satisfies readonly (keyof RoomConfigClientOptions)[];
const USAGE =
  'createRoomConfigClient({ sdkAppId: 1400000001, secretKey: process.env.TRTC_SECRET_KEY, region: "singapore" })';

/** Checks {@link RoomConfigClientOptions} and fills in defaults. Throws `ConfigurationError`. */
export function resolveClientOptions(options: RoomConfigClientOptions): ClientSettings {
  if (options === null || typeof options !== "object") {
    throw new ConfigurationError(`${WHERE} needs an options object: ${USAGE}`);
  }
  for (const name of Object.keys(options)) {
    if ((NAMES as readonly string[]).includes(name)) continue;
    const hint = closest(name, NAMES);
    throw new ConfigurationError(
      `${WHERE}: unknown option ${JSON.stringify(name)}${hint ? `; did you mean ${hint}?` : ""} The options are ${NAMES.join(", ")}`,
    );
  }
  const base = resolveBase(options.region, options.endpoint);
  return {
    sdkAppId: checkSdkAppId(options.sdkAppId, WHERE),
    secretKey: checkSecretKey(options.secretKey, WHERE),
    identifier: checkIdentifier(options.identifier ?? "administrator", WHERE),
    base,
    host: base.host,
    timeoutMs: checkWholeNumber(options.timeoutMs ?? 10_000, "timeoutMs", 1, 600_000, WHERE),
  };
}

function resolveBase(region: unknown, endpoint: unknown): URL {
  if (region !== undefined && (typeof region !== "string" || !isRegion(region))) {
    const hint = typeof region === "string" ? closest(region, REGION_NAMES) : undefined;
    throw new ConfigurationError(
      `${WHERE}: unknown region ${typeof region === "string" ? JSON.stringify(region) : `(${kind(region)})`}${hint ? `; did you mean "${hint}"?` : ""} The regions are ${REGION_NAMES.join(", ")}; or pass endpoint: "https://…" for another host`,
    );
  }
  if (endpoint === undefined)
    return new URL(`https://${REGIONS[(region as Region | undefined) ?? "china"]}/`);
  let url: URL | undefined;
  try {
    url = typeof endpoint === "string" ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "") {
    throw new ConfigurationError(
      `${WHERE}: endpoint must be an http(s) base URL without a query, such as "https://adminapisgp.im.qcloud.com"; got ${typeof endpoint === "string" ? JSON.stringify(endpoint) : kind(endpoint)}`,
    );
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}
