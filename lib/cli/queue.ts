import type { Job, Queue } from "bullmq";
import { roomIdOf, type CallbackJobData } from "../bullmq/job-data";
import { parse, readInteger, UsageError } from "./args";
import { UnreachableError } from "./deliver";
import { EXIT, PROGRAM, QUEUE_HELP } from "./help";
import type { Output } from "./output";

type BullMQ = typeof import("bullmq");

/** Loads bullmq only when the queue command runs: the rest of the CLI works without it. */
export const loadBullMQ = (): Promise<BullMQ> => import("bullmq");

const OPTIONS = {
  redis: { type: "string" },
  queue: { type: "string" },
  prefix: { type: "string" },
  job: { type: "string" },
  all: { type: "boolean" },
  limit: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "completed",
  "failed",
] as const;

/** `trtc-room-callbacks queue stats|failed|retry`: looks at and replays the durable-delivery queue. */
export function queue(args: readonly string[], out: Output): Promise<number> {
  return runQueue(args, out, loadBullMQ);
}

/** {@link queue} with the way bullmq is loaded given (a test gives one that fails as a missing package does). */
export async function runQueue(
  args: readonly string[],
  out: Output,
  load: () => Promise<BullMQ>,
): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS);
  if (values.help) {
    out.stdout(QUEUE_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (action !== "stats" && action !== "failed" && action !== "retry") {
    throw new UsageError(
      action === undefined
        ? "queue needs an action: stats, failed or retry"
        : `unknown queue action ${JSON.stringify(action)}: the actions are stats, failed and retry`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const redis = readRedisUrl(values.redis);
  if (values.queue === undefined || values.queue === "") {
    throw new UsageError("--queue is required: the queue's name, such as trtc-callbacks");
  }
  if (action === "retry" && (values.job === undefined) === !values.all) {
    throw new UsageError("retry takes either --job <id> (one job) or --all (every failed job)");
  }
  const timeoutMs = readInteger(values.timeout, "--timeout", 1, 600_000, 5000);
  const limit = readInteger(values.limit, "--limit", 1, 100_000, 100);

  let bullmq: BullMQ;
  try {
    bullmq = await load();
  } catch (error) {
    if (!isMissingModule(error)) throw error;
    out.stderr(
      `${PROGRAM}: the queue command needs bullmq, an optional peer dependency of this package: npm install bullmq\n`,
    );
    return EXIT.failed;
  }
  const connected = await connect(bullmq, redis, values.queue, values.prefix, timeoutMs);
  try {
    if (action === "stats") return await stats(connected, out);
    if (action === "failed") return await failed(connected, out, limit);
    return values.job !== undefined
      ? await retryOne(connected, out, values.job)
      : await retryAll(connected, out);
  } finally {
    await connected.close().catch(() => connected.disconnect());
  }
}

function readRedisUrl(value: string | undefined): URL {
  if (value === undefined) {
    throw new UsageError("--redis is required: the Redis URL, such as redis://127.0.0.1:6379");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      "--redis must be a URL, such as redis://127.0.0.1:6379 or rediss://user:password@host:6380",
    );
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL, not ${url.protocol}`);
  }
  return url;
}

/** The URL without its user and password, for messages. */
function shown(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

async function connect(
  bullmq: BullMQ,
  url: URL,
  name: string,
  prefix: string | undefined,
  timeoutMs: number,
): Promise<Queue> {
  const connected = new bullmq.Queue(name, {
    connection: {
      url: url.href,
      // Fail instead of waiting: a CLI answers "unreachable" rather than hanging.
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
    },
    skipMetasUpdate: true,
    ...(prefix === undefined ? {} : { prefix }),
  });
  let lastError = "";
  connected.on("error", (error: Error) => (lastError = error.message));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connected.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return connected;
  } catch (error) {
    await connected.disconnect().catch(() => undefined);
    const reason = (error as Error).message || lastError;
    throw new UnreachableError(`cannot reach Redis at ${shown(url)}: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}

async function stats(connected: Queue, out: Output): Promise<number> {
  const counts = await connected.getJobCounts(...STATES);
  const width = Math.max(...STATES.map((state) => state.length));
  out.stdout(`queue ${connected.name}\n`);
  for (const state of STATES) out.stdout(`  ${state.padEnd(width)}  ${counts[state] ?? 0}\n`);
  return EXIT.ok;
}

async function failed(connected: Queue, out: Output, limit: number): Promise<number> {
  const total = await connected.getFailedCount();
  if (total === 0) {
    out.stdout(`no failed jobs in ${connected.name}\n`);
    return EXIT.ok;
  }
  const jobs = (await connected.getFailed(0, limit - 1)) as Job[];
  out.stdout(`${total} failed job${total === 1 ? "" : "s"} in ${connected.name}:\n`);
  for (const job of jobs) out.stdout(`${describeJob(job)}\n`);
  if (total > jobs.length)
    out.stdout(`… and ${total - jobs.length} more (--limit ${total} to list them all)\n`);
  return EXIT.ok;
}

function describeJob(job: Job): string {
  const data = job.data as Partial<CallbackJobData> | undefined;
  const room = data?.event === undefined ? undefined : roomIdOf(data.event);
  return [
    job.id,
    data?.command ?? job.name,
    `room ${room ?? "?"}`,
    `attempts ${job.attemptsMade}`,
    `error: ${job.failedReason ?? "?"}`,
  ].join("  ");
}

// A replayed job starts over: the worker's attempts count from 1 again.
const RESET = { resetAttemptsMade: true, resetAttemptsStarted: true } as const;

async function retryOne(connected: Queue, out: Output, id: string): Promise<number> {
  const job = (await connected.getJob(id)) as Job | undefined;
  if (job === undefined) {
    out.stderr(`${PROGRAM}: no job ${id} in ${connected.name} (it may have been removed)\n`);
    return EXIT.failed;
  }
  const state = await job.getState();
  if (state !== "failed") {
    out.stderr(`${PROGRAM}: job ${id} is ${state}, not failed: only failed jobs are retried\n`);
    return EXIT.failed;
  }
  await job.retry("failed", RESET);
  out.stdout(`retried ${describeJob(job)}\n`);
  return EXIT.ok;
}

async function retryAll(connected: Queue, out: Output): Promise<number> {
  const retried = new Set<string>();
  for (;;) {
    const page = ((await connected.getFailed(0, 99)) as Job[]).filter(
      (job) => job.id !== undefined && !retried.has(job.id),
    );
    if (page.length === 0) break;
    for (const job of page) {
      await job.retry("failed", RESET);
      retried.add(job.id as string);
    }
  }
  out.stdout(`retried ${retried.size} failed job${retried.size === 1 ? "" : "s"} in ${connected.name}\n`);
  return EXIT.ok;
}

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") &&
    /bullmq/.test(String((error as Error).message))
  );
}
