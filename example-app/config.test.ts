import { startupMessage } from "./banner";
import { DEFAULT_CONFIG, readConfig, redisAddress } from "./config";

describe("readConfig", () => {
  it("has defaults for everything: port 3000 on this machine, the demo SdkAppid, no token", () => {
    expect(readConfig({})).toEqual({
      port: 3000,
      host: "127.0.0.1",
      sdkAppId: "1400000001",
      token: undefined,
      redisUrl: undefined,
      workerConcurrency: 8,
      workerLockMs: 30_000,
    });
    expect(readConfig({})).toEqual(DEFAULT_CONFIG);
  });

  it("reads PORT, HOST, TRTC_SDK_APP_ID, TRTC_CALLBACK_TOKEN, REDIS_URL and the worker's settings", () => {
    const env = {
      PORT: "0",
      HOST: "0.0.0.0",
      TRTC_SDK_APP_ID: "1400123456",
      TRTC_CALLBACK_TOKEN: "s3cret",
      REDIS_URL: "redis://10.0.0.5:6380/2",
      WORKER_CONCURRENCY: "2",
      WORKER_LOCK_MS: "1000",
    };
    expect(readConfig(env)).toEqual({
      port: 0,
      host: "0.0.0.0",
      sdkAppId: "1400123456",
      token: "s3cret",
      redisUrl: "redis://10.0.0.5:6380/2",
      workerConcurrency: 2,
      workerLockMs: 1000,
    });
  });

  it("treats empty variables as unset", () => {
    expect(readConfig({ PORT: "", TRTC_SDK_APP_ID: "", TRTC_CALLBACK_TOKEN: "", REDIS_URL: "" })).toEqual(
      DEFAULT_CONFIG,
    );
  });

  it.each([
    [{ PORT: "http" }, /^PORT must be a port number/],
    [{ PORT: "70000" }, /^PORT must be a port number/],
    [{ TRTC_SDK_APP_ID: "my-app" }, /^TRTC_SDK_APP_ID must be your app's numeric SDKAppID/],
    [{ REDIS_URL: "localhost:6379" }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: "http://127.0.0.1:6379" }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ WORKER_CONCURRENCY: "0" }, /^WORKER_CONCURRENCY must be a whole number from 1 to 1000/],
    [{ WORKER_LOCK_MS: "fast" }, /^WORKER_LOCK_MS must be a whole number from 100/],
  ])("rejects %j, naming the variable", (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it("never repeats a wrong REDIS_URL, which may hold a password", () => {
    expect(() => readConfig({ REDIS_URL: "redis//:hunter2@db" })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("hunter2") }),
    );
  });
});

describe("redisAddress", () => {
  it.each([
    ["redis://127.0.0.1:6380", "127.0.0.1:6380"],
    ["redis://:hunter2@db.internal/0", "db.internal:6379"],
    ["rediss://user:hunter2@[::1]:7000", "[::1]:7000"],
  ])("shows %s as %s", (url, address) => {
    expect(redisAddress(url)).toBe(address);
  });
});

describe("startupMessage", () => {
  it("shows the configuration, the callback URL and commands that send callbacks", () => {
    const message = startupMessage(DEFAULT_CONFIG, 3000);
    expect(message).toContain("SdkAppid      1400000001");
    expect(message).toContain("none: signatures are not checked");
    expect(message).toContain("Callback URL:  http://127.0.0.1:3000/trtc");
    expect(message).toContain(
      "npx trtc-room-callbacks send Room.CallbackAfterMemberEnter --url http://127.0.0.1:3000/trtc --sdk-app-id 1400000001 --set RoomId=demo",
    );
    expect(message).toContain(
      "curl -X POST 'http://127.0.0.1:3000/trtc?SdkAppid=1400000001&CallbackCommand=Room.CallbackAfterMemberEnter'",
    );
    expect(message).toContain("npx trtc-room-callbacks simulate --url http://127.0.0.1:3000/trtc");
  });

  it("uses the port actually bound and a reachable host for a wildcard address", () => {
    const message = startupMessage({ ...DEFAULT_CONFIG, host: "0.0.0.0" }, 41234);
    expect(message).toContain("Callback URL:  http://127.0.0.1:41234/trtc");
    expect(startupMessage({ ...DEFAULT_CONFIG, host: "::1" }, 80)).toContain("http://[::1]:80/trtc");
  });

  it("says where rooms live: in memory, or in Redis by host and port without the URL's password", () => {
    expect(startupMessage(DEFAULT_CONFIG, 3000)).toContain(
      "rooms         in memory: this process only   (REDIS_URL)",
    );
    const message = startupMessage(
      { ...DEFAULT_CONFIG, redisUrl: "redis://app:hunter2@10.0.0.5:6380/1" },
      3000,
    );
    expect(message).toContain("rooms         in Redis at 10.0.0.5:6380: shared");
    expect(message).not.toContain("hunter2");
  });

  it("never prints the token, and offers the signed CLI form instead of curl when one is set", () => {
    const message = startupMessage({ ...DEFAULT_CONFIG, token: "s3cret" }, 3000);
    expect(message).not.toContain("s3cret");
    expect(message).toContain('--token "$TRTC_CALLBACK_TOKEN"');
    expect(message).not.toContain("curl -X POST");
  });
});
