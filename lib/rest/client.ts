import { type CallbackCommand, ConfigurationError, type OpenString } from "../index";
import { commandsRead, commandsToSend } from "./commands";
import { resolveClientOptions, type RoomConfigClientOptions } from "./options";
import { buildRequest, sendRequest, type RoomConfigApi } from "./request";
import { TencentApiError } from "./tencent-api-error";

/** The callback configuration of an app: where Tencent sends which callbacks. */
export interface CallbackConfiguration {
  /** The callback URL. */
  url: string;
  /**
   * The commands Tencent sends, by their canonical names (Tencent may report
   * the update command as `Room.CallbackUpdateRoomInfo`: it is returned as
   * `Room.CallbackAfterUpdateRoomInfo`). A name this package does not know is
   * kept as Tencent wrote it.
   */
  commands: OpenString<CallbackCommand>[];
}

/** What {@link RoomConfigClient.setCallback} configures. */
export interface SetCallbackOptions {
  /** Where Tencent should send callbacks: must start with `https://` (recommended) or `http://`. */
  url: string;
  /**
   * The commands to receive; the older update spelling is accepted and sent
   * as `Room.CallbackAfterUpdateRoomInfo`.
   *
   * @defaultValue all six
   */
  commands?: readonly OpenString<CallbackCommand>[] | undefined;
}

/** What {@link RoomConfigClient.setCallback} did. */
export interface SetCallbackResult {
  /** `true` when no configuration existed and one was created; `false` when the existing one was replaced. */
  created: boolean;
  /** The URL configured. */
  url: string;
  /** The commands configured, canonical names. */
  commands: CallbackCommand[];
}

/** Reads and writes an app's Room callback configuration through Tencent's REST API. */
export interface RoomConfigClient {
  /** The SDKAppID the client acts for. */
  readonly sdkAppId: number;
  /** The host requests go to, such as `"console.tim.qq.com"`. */
  readonly host: string;
  /** The configuration, or `undefined` when none is set. */
  getCallback(): Promise<CallbackConfiguration | undefined>;
  /**
   * Creates the configuration, or replaces the existing one: safe to run on
   * every deploy.
   */
  setCallback(options: SetCallbackOptions): Promise<SetCallbackResult>;
  /** Removes the configuration: Tencent stops sending callbacks. */
  deleteCallback(): Promise<void>;
}

// set_callback's "a configuration exists" and update_callback's "none exists".
const EXISTS = 100300;
const MISSING = 100301;

/**
 * A client for the app's Room callback configuration (`v4/room_config/*`).
 * Every request carries a fresh UserSig for the admin account and a fresh
 * `random`; the secret key stays inside the client.
 *
 * Throws a `ConfigurationError` for options it cannot run with. Its methods
 * reject with a `TencentApiError` when Tencent says no (with `code`, `info`,
 * `requestId` and a `hint`), and with a `TencentRequestError` when Tencent
 * could not be asked.
 *
 * @example
 * ```ts
 * const tencent = createRoomConfigClient({
 *   sdkAppId: 1400000001,
 *   secretKey: process.env.TRTC_SECRET_KEY,
 *   region: "singapore",
 * });
 * await tencent.setCallback({ url: "https://your.host/trtc" });
 * ```
 */
export function createRoomConfigClient(options: RoomConfigClientOptions): RoomConfigClient {
  const settings = resolveClientOptions(options);
  const call = (api: RoomConfigApi, body: object) => sendRequest(settings, buildRequest(settings, api, body));

  return {
    sdkAppId: settings.sdkAppId,
    host: settings.host,

    async getCallback() {
      let answer: Record<string, unknown>;
      try {
        answer = await call("get_callback", {});
      } catch (error) {
        // Undocumented: whichever way Tencent says "none", it means none.
        if (error instanceof TencentApiError && error.code === MISSING) return undefined;
        throw error;
      }
      return readConfiguration(answer["Response"]);
    },

    async setCallback(set: SetCallbackOptions) {
      const body = setCallbackBody(set);
      // Twice at most: a configuration deleted between set's 100300 and the update is set again.
      for (let attempt = 1; ; attempt++) {
        try {
          await call("set_callback", body);
          return { created: true, url: body.Url, commands: body.CallbackCommandList };
        } catch (error) {
          if (!(error instanceof TencentApiError && error.code === EXISTS)) throw error;
        }
        try {
          await call("update_callback", body);
          return { created: false, url: body.Url, commands: body.CallbackCommandList };
        } catch (error) {
          if (!(error instanceof TencentApiError && error.code === MISSING && attempt === 1)) throw error;
        }
      }
    },

    async deleteCallback() {
      await call("delete_callback", {});
    },
  };
}

/** The body of `set_callback` and `update_callback`. Throws `ConfigurationError`. */
export function setCallbackBody(set: SetCallbackOptions): {
  Url: string;
  CallbackCommandList: CallbackCommand[];
} {
  const where = "setCallback";
  if (set === null || typeof set !== "object") {
    throw new ConfigurationError(
      `${where} needs an options object, such as { url: "https://your.host/trtc" }`,
    );
  }
  if (typeof set.url !== "string" || !/^https?:\/\//.test(set.url)) {
    throw new ConfigurationError(
      `${where}: url must start with https:// (recommended) or http://, such as "https://your.host/trtc"; got ${typeof set.url === "string" ? JSON.stringify(set.url) : typeof set.url}`,
    );
  }
  return { Url: set.url, CallbackCommandList: commandsToSend(set.commands, where) };
}

function readConfiguration(response: unknown): CallbackConfiguration | undefined {
  if (response === null || typeof response !== "object") return undefined;
  const { Url, CallbackCommandList } = response as { Url?: unknown; CallbackCommandList?: unknown };
  if (typeof Url !== "string" || Url === "") return undefined;
  const list = Array.isArray(CallbackCommandList)
    ? CallbackCommandList.filter((name): name is string => typeof name === "string")
    : [];
  return { url: Url, commands: commandsRead(list) };
}
