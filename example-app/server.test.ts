import Redis from "ioredis";
import { describeWithServer, freePort, startRedis, type RedisServer } from "../__tests__/helpers/servers";
import { start, type RunningApp } from "./server";

const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
const ENTER = "SdkAppid=1400000009&CallbackCommand=Room.CallbackAfterMemberEnter";

async function post(port: number, body: string) {
  const response = await fetch(`http://127.0.0.1:${port}/trtc?${ENTER}`, { method: "POST", body });
  return response.json();
}

async function get(port: number, path: string) {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).json() as Promise<Record<string, unknown>>;
}

describe("start", () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it("listens where the environment says, prints the start-up message, then one line per callback", async () => {
    const lines: string[] = [];
    running = await start({ PORT: "0", HOST: "127.0.0.1", TRTC_SDK_APP_ID: "1400000009" }, (line) =>
      lines.push(line),
    );
    const { port } = running;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Callback URL:  http://127.0.0.1:${port}/trtc`);
    expect(lines[0]).toContain("SdkAppid      1400000009");
    expect(lines[0]).toContain("rooms         in memory: this process only");

    expect(await post(port, '{"RoomId":"demo","MemberList_Account":["alice"]}')).toEqual(OK);
    expect(lines.slice(1)).toEqual(["Room.CallbackAfterMemberEnter demo: applied"]);
    expect(await get(port, "/rooms/demo")).toMatchObject({ members: ["alice"] });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(
      /^trtc_room_callbacks_requests_total\{command="Room\.CallbackAfterMemberEnter",status="200",action="OK",code="0"\} 1$/m,
    );
  });

  it("refuses a wrong configuration before listening", async () => {
    await expect(start({ PORT: "eighty" }, () => {})).rejects.toThrow(/^PORT must be a port number/);
  });

  it("says when the port is taken", async () => {
    running = await start({ PORT: "0" }, () => {});
    await expect(start({ PORT: String(running.port) }, () => {})).rejects.toThrow(
      new RegExp(`^Cannot listen on 127\\.0\\.0\\.1:${running.port}: .*EADDRINUSE.* \\(set PORT or HOST\\)$`),
    );
  });
});

describeWithServer("redis-server", "start with REDIS_URL", () => {
  let redis: RedisServer;
  let running: RunningApp | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  afterAll(async () => {
    await redis?.close();
  });

  it("keeps rooms in Redis, receives through the queue and works the jobs, then shuts down cleanly", async () => {
    const lines: string[] = [];
    running = await start({ PORT: "0", TRTC_SDK_APP_ID: "1400000009", REDIS_URL: redis.url }, (line) =>
      lines.push(line),
    );
    const { port } = running;
    expect(lines[0]).toContain(`rooms         in Redis at 127.0.0.1:${redis.port}: shared`);

    const body = '{"RoomId":"demo","MemberList_Account":["alice"],"EventTime":1700000000000}';
    expect(await post(port, body)).toEqual(OK);
    expect(await post(port, body)).toEqual(OK); // one job: the same content is the same job id
    for (;;) {
      const health = await get(port, "/healthz");
      if ((health["queue"] as { completed: number }).completed === 1) {
        expect(health).toEqual({
          ok: true,
          mode: "redis",
          pid: process.pid,
          rooms: 1,
          callbacks: { accepted: 2, failed: 0 },
          events: { applied: 1, duplicate: 0, stale: 0 },
          queue: { waiting: 0, active: 0, delayed: 0, completed: 1, failed: 0 },
        });
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await get(port, "/rooms/demo")).toMatchObject({ members: ["alice"], updatedAt: 1700000000000 });
    expect(lines.slice(1)).toEqual(["Room.CallbackAfterMemberEnter demo: applied"]);

    // The rooms are in Redis: a second instance serves them.
    const other = await start({ PORT: "0", TRTC_SDK_APP_ID: "1400000009", REDIS_URL: redis.url }, () => {});
    try {
      expect(await get(other.port, "/rooms")).toMatchObject({
        rooms: [{ roomId: "demo", members: ["alice"] }],
      });
    } finally {
      await other.close();
    }

    // Graceful shutdown closes every connection the instance opened.
    const observer = new Redis(redis.url);
    try {
      await running.close();
      running = undefined;
      const clients = (await observer.client("LIST")) as string;
      expect(clients.trim().split("\n")).toHaveLength(1);
    } finally {
      await observer.quit();
    }
  });

  it("answers 503 while Redis is away, and serves again once it is back", async () => {
    running = await start({ PORT: "0", REDIS_URL: redis.url }, () => {});
    const base = `http://127.0.0.1:${running.port}`;
    await redis.stop();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, error: expect.any(String) });
    const rooms = await fetch(`${base}/rooms`);
    expect(rooms.status).toBe(503);
    expect(await rooms.json()).toEqual({ error: expect.stringMatching(/^cannot read the rooms: /) });
    // Back on the same port: the instance reconnects by itself (and can then shut down gracefully).
    redis = await redis.restart();
    for (;;) {
      const again = await fetch(`${base}/healthz`);
      if (again.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await (await fetch(`${base}/rooms`)).json()).toEqual({ rooms: [] });
  }, 30_000);

  it("rejects, naming host and port, when Redis cannot be reached", async () => {
    const port = await freePort();
    await expect(
      start({ PORT: "0", REDIS_URL: `redis://:hunter2@127.0.0.1:${port}` }, () => {}),
    ).rejects.toThrow(`cannot reach Redis at 127.0.0.1:${port} within 5000 ms`);
  }, 15_000);
});
