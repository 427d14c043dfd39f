import Redis from "ioredis";
import { describeWithServer, startRedis, type RedisServer } from "./helpers/servers";

describeWithServer("redis-server", "the test harness's redis-server", () => {
  let redis: RedisServer;
  afterEach(async () => redis?.close());

  it("starts on a free loopback port, answers, and keeps writes across a restart with AOF", async () => {
    redis = await startRedis({ aof: true });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await client.set("k", "v");
    client.disconnect();
    redis = await redis.restart();
    const again = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    expect(await again.get("k")).toBe("v");
    again.disconnect();
  });
});
