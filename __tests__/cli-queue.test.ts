import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import { createCallbackWorker, enqueueCallbacks } from "trtc-room-callbacks/bullmq";
import { main } from "../lib/cli/main";
import { runQueue } from "../lib/cli/queue";
import { eventually, memberEnter, producerConnection, routerApp, sendCallback } from "./helpers/bullmq";
import { describeWithServer, freePort, startRedis, type RedisServer } from "./helpers/servers";

jest.setTimeout(30_000);

function output() {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    sink: {
      stdout: (text: string) => void (out.stdout += text),
      stderr: (text: string) => void (out.stderr += text),
    },
  };
}

async function run(args: string[]) {
  const { out, sink } = output();
  const code = await main(args, sink);
  return { code, ...out };
}

describe("queue command without Redis", () => {
  it("is listed in the main help and has its own", async () => {
    expect((await run(["--help"])).stdout).toMatch(/queue <action> +stats, failed or retry/);
    const help = await run(["queue", "--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/--redis <url>[\s\S]*3 {2}Redis could not be reached/);
  });

  it.each([
    [["queue"], /queue needs an action/],
    [["queue", "purge", "--redis", "redis://127.0.0.1:1", "--queue", "q"], /unknown queue action "purge"/],
    [["queue", "stats", "--queue", "q"], /--redis is required/],
    [["queue", "stats", "--redis", "http://127.0.0.1:1", "--queue", "q"], /redis:\/\/ or rediss:\/\//],
    [["queue", "stats", "--redis", "redis://127.0.0.1:1"], /--queue is required/],
    [["queue", "retry", "--redis", "redis://127.0.0.1:1", "--queue", "q"], /either --job <id>/],
    [
      ["queue", "retry", "--redis", "redis://127.0.0.1:1", "--queue", "q", "--all", "--job", "1"],
      /either --job/,
    ],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("exits 3 when Redis cannot be reached, without printing the URL's password", async () => {
    const port = await freePort();
    const result = await run([
      "queue",
      "stats",
      "--redis",
      `redis://admin:s3cret-pass@127.0.0.1:${port}`,
      "--queue",
      "q",
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
    expect(result.stderr).not.toContain("s3cret-pass");
  });

  it("says what to install when bullmq is missing (exit 1)", async () => {
    const { out, sink } = output();
    const missing = Object.assign(new Error("Cannot find module 'bullmq'"), { code: "MODULE_NOT_FOUND" });
    const code = await runQueue(["stats", "--redis", "redis://127.0.0.1:1", "--queue", "q"], sink, () =>
      Promise.reject(missing),
    );
    expect(code).toBe(1);
    expect(out.stderr).toContain("npm install bullmq");
  });

  it("loads bullmq only when the queue command runs", () => {
    const helpers = join(__dirname, "helpers");
    const script = `
      const { main } = require(${JSON.stringify(join(__dirname, "..", "lib", "cli", "main.ts"))});
      const loaded = () => Object.keys(require.cache).some((file) => file.includes("node_modules/bullmq/"));
      const before = loaded();
      main(["queue", "stats", "--redis", "redis://127.0.0.1:1", "--queue", "q", "--timeout", "200"], { stdout() {}, stderr() {} })
        .then((code) => process.stdout.write(JSON.stringify({ before, after: loaded(), code })));`;
    const printed = execFileSync(
      process.execPath,
      ["--require", join(helpers, "ts-require.cjs"), "-e", script],
      {
        encoding: "utf8",
      },
    );
    expect(JSON.parse(printed)).toEqual({ before: false, after: true, code: 3 });
  });
});

describeWithServer("redis-server", "queue command on a real redis-server", () => {
  let redis: RedisServer;
  let queue: Queue;
  beforeAll(async () => {
    redis = await startRedis();
  });
  beforeEach(() => {
    queue = new Queue(`q${randomUUID()}`, { connection: producerConnection(redis) });
  });
  afterEach(async () => {
    await queue.close();
  });
  afterAll(async () => {
    await redis.close();
  });
  const args = (action: string, ...more: string[]) => [
    "queue",
    action,
    "--redis",
    redis.url,
    "--queue",
    queue.name,
    ...more,
  ];

  /** Queues `rooms.length` callbacks and lets a worker whose handler always throws fail them all. */
  async function failAll(rooms: string[]) {
    const app = routerApp(enqueueCallbacks(queue));
    for (const [i, room] of rooms.entries())
      await sendCallback(app, "Room.CallbackAfterMemberEnter", memberEnter(room, ["a"], i));
    const worker = createCallbackWorker(queue.name, {
      connection: { port: redis.port },
      attempts: 1,
      handlers: {
        "Room.CallbackAfterMemberEnter": () => {
          throw new Error("seat service down");
        },
      },
    });
    await eventually(async () => (await queue.getFailedCount()) === rooms.length);
    await worker.close();
  }

  it("stats counts the jobs in each state", async () => {
    const app = routerApp(enqueueCallbacks(queue));
    await sendCallback(app, "Room.CallbackAfterMemberEnter", memberEnter("s1", ["a"], 1));
    await sendCallback(app, "Room.CallbackAfterMemberEnter", memberEnter("s2", ["a"], 2));
    const result = await run(args("stats"));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/waiting +2\n/);
    expect(result.stdout).toMatch(/failed +0\n/);
  });

  it("failed lists each failed job's command, room, attempts and error; retry --job and --all replay them", async () => {
    await failAll(["room-x", "room-y", "room-z"]);
    const listed = await run(args("failed"));
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^3 failed jobs in q/);
    expect(listed.stdout).toMatch(
      /trtc-[0-9a-f]{40} {2}Room\.CallbackAfterMemberEnter {2}room room-x {2}attempts 1 {2}error: seat service down/,
    );
    expect((await run(args("failed", "--limit", "1"))).stdout).toContain("… and 2 more");

    const [first] = await queue.getFailed(0, 0);
    const one = await run(args("retry", "--job", first?.id as string));
    expect(one).toMatchObject({ code: 0, stderr: "" });
    expect(await queue.getJobCounts("waiting", "failed")).toEqual({ waiting: 1, failed: 2 });
    expect((await run(args("retry", "--job", first?.id as string))).stderr).toMatch(/is waiting, not failed/);
    expect((await run(args("retry", "--job", "trtc-nope"))).code).toBe(1);

    const all = await run(args("retry", "--all"));
    expect(all.stdout).toContain("retried 2 failed jobs");
    expect(await queue.getJobCounts("waiting", "failed")).toEqual({ waiting: 3, failed: 0 });
    expect((await run(args("failed"))).stdout).toContain("no failed jobs");
  });
});
