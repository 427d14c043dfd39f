// A callback worker in a process of its own, for tests that kill it:
//   node --require ./ts-require.cjs bullmq-worker.cjs <redis-url> <queue> <mode>
// Each handled event records its effect in Redis: HINCRBY effects <jobId> 1.
// mode "slow": the handler first records "started", then waits 60 s (a test
// SIGKILLs the process meanwhile); a later run of the same job is quick.
// Prints "ready" once the worker listens; short locks so a killed worker's job
// is picked up again within a second or two.
const Redis = require("ioredis");
const { createCallbackWorker } = require("../../lib/bullmq/index.ts");

const [url, queueName, mode] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: 1 });

async function handle(_event, context) {
  if (mode === "slow" && (await redis.hincrby("started", context.jobId, 1)) === 1) {
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  await redis.hincrby("effects", context.jobId, 1);
}

const handlers = Object.fromEntries(
  [
    "Room.CallbackAfterCreateRoom",
    "Room.CallbackAfterDestroyRoom",
    "Room.CallbackAfterUpdateRoomInfo",
    "Room.CallbackAfterMemberEnter",
    "Room.CallbackAfterMemberLeave",
    "Mic.CallbackAfterSeatInfoChanged",
  ].map((command) => [command, handle]),
);

const worker = createCallbackWorker(queueName, {
  connection: { url },
  handlers,
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4),
  workerOptions: { lockDuration: 1000, stalledInterval: 500, maxStalledCount: 5 },
});
worker.waitUntilReady().then(() => process.stdout.write("ready\n"));
const stop = () =>
  worker
    .close()
    .then(() => redis.quit())
    .then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("disconnect", stop);
