// A callback worker in a process of its own, for the fault tests:
//   node --require ./ts-require.cjs bullmq-worker.cjs <redis-url> <queue> <mode>
// Each handled event records its effect in Redis (HINCRBY effects <jobId> 1);
// each onError report is pushed to the list "reports" as {jobId, attempt, final}.
// Modes:
//   quick   the effect, at once
//   slow    records "started" (HINCRBY started <jobId> 1) and, the first time,
//           waits 60 s before the effect (a test SIGKILLs the process meanwhile)
//   flaky   throws on attempts 1 and 2, then the effect
//   broken  always throws
// Three attempts, 50 ms apart; short locks, so a killed worker's job is picked
// up again within a second or two. Prints "ready" once the worker listens.
const Redis = require("ioredis");
const { createCallbackWorker } = require("../../lib/bullmq/index.ts");

const [url, queueName, mode] = process.argv.slice(2);
const redis = new Redis(url, { maxRetriesPerRequest: 1 });

async function handle(_event, context) {
  if (mode === "broken") throw new Error("the seat service rejects us");
  if (mode === "flaky" && context.attempt < 3) throw new Error(`database unavailable (${context.attempt})`);
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
  concurrency: 4,
  attempts: 3,
  backoff: () => 50,
  onError: (_error, info) =>
    redis.rpush("reports", JSON.stringify({ jobId: info.jobId, attempt: info.attempt, final: info.final })),
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
