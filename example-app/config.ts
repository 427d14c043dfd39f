/** The example app's settings, from environment variables. */
export interface ExampleConfig {
  /** `PORT`, default 3000; 0 picks a free port. */
  port: number;
  /** `HOST`, default 127.0.0.1 (this machine only); `0.0.0.0` to accept Tencent's requests directly. */
  host: string;
  /** `TRTC_SDK_APP_ID`, default the demo app 1400000001. */
  sdkAppId: string;
  /** `TRTC_CALLBACK_TOKEN`, default none: signatures are not checked. */
  token: string | undefined;
}

export const DEFAULT_CONFIG: ExampleConfig = {
  port: 3000,
  host: "127.0.0.1",
  sdkAppId: "1400000001",
  token: undefined,
};

/** Reads the configuration; throws an `Error` naming the variable to fix. */
export function readConfig(env: Record<string, string | undefined>): ExampleConfig {
  const port = env["PORT"] || String(DEFAULT_CONFIG.port);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new Error(`PORT must be a port number from 0 to 65535, not ${JSON.stringify(port)}`);
  }
  const sdkAppId = env["TRTC_SDK_APP_ID"] || DEFAULT_CONFIG.sdkAppId;
  if (!/^\d+$/.test(sdkAppId)) {
    throw new Error(`TRTC_SDK_APP_ID must be your app's numeric SDKAppID, not ${JSON.stringify(sdkAppId)}`);
  }
  return {
    port: Number(port),
    host: env["HOST"] || DEFAULT_CONFIG.host,
    sdkAppId,
    token: env["TRTC_CALLBACK_TOKEN"] || undefined,
  };
}
