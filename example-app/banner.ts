import { redisAddress, type ExampleConfig } from "./config";

/** The sample callback the start-up message offers to send. */
export const SAMPLE_COMMAND = "Room.CallbackAfterMemberEnter";

/**
 * What the app prints once it listens on `port`: its configuration, the
 * callback URL, and commands that send it callbacks and read the result.
 */
export function startupMessage(config: ExampleConfig, port: number): string {
  const base = `http://${displayHost(config.host)}:${port}`;
  const url = `${base}/trtc`;
  const target = `--url ${url} --sdk-app-id ${config.sdkAppId}${config.token ? ' --token "$TRTC_CALLBACK_TOKEN"' : ""}`;
  const lines = [
    "trtc-room-callbacks example app",
    `  SdkAppid      ${config.sdkAppId}   (TRTC_SDK_APP_ID)`,
    `  token         ${config.token ? "set: callbacks must be signed" : "none: signatures are not checked"}   (TRTC_CALLBACK_TOKEN)`,
    `  rooms         ${roomsLine(config)}   (REDIS_URL)`,
    `  listening on  ${config.host}:${port}   (HOST, PORT)`,
    "",
    `Callback URL:  ${url}`,
    `Room state:    ${base}/rooms`,
    "",
    "Send a sample callback:",
    `  npx trtc-room-callbacks send ${SAMPLE_COMMAND} ${target} --set RoomId=demo`,
  ];
  if (!config.token) {
    lines.push(
      "or with curl:",
      `  curl -X POST '${url}?SdkAppid=${config.sdkAppId}&CallbackCommand=${SAMPLE_COMMAND}' -d '{"RoomId":"demo","MemberList_Account":["alice"]}'`,
    );
  }
  lines.push(
    "Play a whole meeting:",
    `  npx trtc-room-callbacks simulate ${target}`,
    "Then look at the rooms:",
    `  curl ${base}/rooms`,
    "",
  );
  return lines.join("\n");
}

/** Where rooms live; for Redis its host and port only (the URL may hold a password). */
function roomsLine(config: ExampleConfig): string {
  if (config.redisUrl === undefined) return "in memory: this process only";
  return `in Redis at ${redisAddress(config.redisUrl)}: shared, callbacks queued and worked by every instance`;
}

/** A host to put in a URL: the wildcard addresses mean this machine too. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
