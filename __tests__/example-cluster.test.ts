import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { CallbackEvent } from "trtc-room-callbacks";
import { createRoomState, memoryRoomStore, type RoomView } from "trtc-room-callbacks/room-state";
import { callbackQuery } from "trtc-room-callbacks/testing";
import { nginxConfig } from "../example-app/nginx-config";
import { planMeeting } from "../lib/cli/meeting";
import {
  describeWithServer,
  freePort,
  startNginx,
  startRedis,
  type NginxServer,
  type RedisServer,
} from "./helpers/servers";

/**
 * The example app in production shape: instances as real processes with REDIS_URL (run from the
 * TypeScript sources), a real nginx in front, a real redis-server behind. Bounded by jest's
 * timeout; every process is killed in afterAll, whatever happened.
 */
jest.setTimeout(120_000);

const root = join(__dirname, "..");
const HOOK = join(root, "example-app", "run-from-source.cjs");
const SDK_APP_ID = "1400000001";
const T = 1_700_000_000_000;
const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

interface Health {
  ok: boolean;
  mode: string;
  pid: number;
  rooms: number;
  callbacks: { accepted: number; failed: number };
  events: { applied: number; duplicate: number; stale: number };
  queue: { waiting: number; active: number; delayed: number; completed: number; failed: number };
}

/** A deterministic PRNG (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** As the router hands events to handlers: an empty seat's `Member_Account: ""` is absent. */
function normalised(event: CallbackEvent): CallbackEvent {
  if (event.CallbackCommand !== "Mic.CallbackAfterSeatInfoChanged") return event;
  return {
    ...event,
    SeatList: (event.SeatList ?? []).map(({ Member_Account, ...seat }) =>
      Member_Account ? { ...seat, Member_Account } : seat,
    ),
  };
}

/** 20 simulated meetings of different sizes, half of them left standing, interleaved in time. */
function meetings(): CallbackEvent[] {
  return Array.from({ length: 20 }, (_, i) => {
    let now = T + i * 7;
    const clock = () => (now += 1000);
    const plan = { roomId: `meeting-${i}`, members: 2 + (i % 4), seats: 1 + (i % 3), keepRoom: i % 2 === 0 };
    return planMeeting(plan, clock).map((step) => normalised(step().event));
  }).flat();
}

/** Every event once, a fifth of them twice, in an order with local swaps and some far moves. */
function deliveries(events: readonly CallbackEvent[], next: () => number): CallbackEvent[] {
  const list = [...events, ...events.filter(() => next() < 0.2)];
  list.sort((a, b) => (a.EventTime ?? 0) - (b.EventTime ?? 0));
  for (let i = 0; i < list.length; i++) {
    const j =
      next() < 0.1 ? Math.floor(next() * list.length) : Math.min(list.length - 1, i + Math.floor(next() * 4));
    [list[i], list[j]] = [list[j] as CallbackEvent, list[i] as CallbackEvent];
  }
  return list;
}

/** The state one memory store reaches applying every event once, in order. */
async function expectedRooms(events: readonly CallbackEvent[]): Promise<RoomView[]> {
  const rooms = createRoomState({ store: memoryRoomStore() });
  const inOrder = [...events].sort((a, b) => (a.EventTime ?? 0) - (b.EventTime ?? 0));
  for (const event of inOrder) await rooms.apply(event);
  return rooms.list();
}

async function post(base: string, event: CallbackEvent): Promise<unknown> {
  const query = new URLSearchParams(callbackQuery({ sdkAppId: SDK_APP_ID, command: event.CallbackCommand }));
  const response = await fetch(`${base}/trtc?${query}`, { method: "POST", body: JSON.stringify(event) });
  return { status: response.status, ack: await response.json() };
}

/** Sends every event through `base`, 8 at a time; resolves to the answers, in order. */
async function sendAll(base: string, events: readonly CallbackEvent[]): Promise<unknown[]> {
  const answers: unknown[] = new Array(events.length);
  let next = 0;
  const lane = async () => {
    while (next < events.length) {
      const index = next++;
      answers[index] = await post(base, events[index] as CallbackEvent);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return answers;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, "exit");
}

describeWithServer("nginx", "the example app behind nginx", () => {
  describeWithServer("redis-server", "three instances on one Redis", () => {
    let redis: RedisServer | undefined;
    let nginx: NginxServer | undefined;
    const children = new Set<ChildProcess>();
    const output = new Map<ChildProcess, string>();

    /** An instance of the example app, from source, in a process of its own; resolves once it listens. */
    async function instance(port: number, redisUrl: string): Promise<ChildProcess> {
      const child = spawn(process.execPath, ["--require", HOOK, join(root, "example-app", "server.ts")], {
        env: {
          ...process.env,
          HOST: "127.0.0.1",
          PORT: String(port),
          REDIS_URL: redisUrl,
          TRTC_SDK_APP_ID: SDK_APP_ID,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.add(child);
      output.set(child, "");
      const append = (chunk: Buffer) => output.set(child, output.get(child) + chunk.toString());
      child.stdout?.on("data", append);
      child.stderr?.on("data", append);
      // Its start-up message is printed once it listens (and, in Redis mode, once Redis answered).
      // Compiling the sources takes a while on a busy machine: jest's timeout bounds the wait.
      await until(async () => {
        const text = output.get(child) ?? "";
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`an instance exited:\n${text}`);
        return text.includes(`Callback URL:  http://127.0.0.1:${port}/trtc`) ? true : undefined;
      });
      return child;
    }

    afterAll(async () => {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited(child);
      }
      await nginx?.close();
      await redis?.close();
    });

    it("ends with the same rooms on every instance, the in-order state, through shuffled and repeated deliveries and a SIGKILLed instance; /healthz adds up", async () => {
      redis = await startRedis();
      const ports = [await freePort(), await freePort(), await freePort()];
      const instances = await Promise.all(ports.map((port) => instance(port, (redis as RedisServer).url)));
      nginx = await startNginx(ports, { config: nginxConfig });
      const front = nginx.url;
      const direct = ports.map((port) => `http://127.0.0.1:${port}`);

      const events = meetings();
      const sent = deliveries(events, random(20261207));
      expect(sent.length).toBeGreaterThan(events.length);
      const expected = await expectedRooms(events);
      expect(expected.length).toBe(10); // the meetings left standing

      const health = (base: string) => getJson<Health>(`${base}/healthz`);
      const drained = () =>
        until(async () => {
          const { queue } = await health(front);
          return queue.waiting + queue.active + queue.delayed === 0 ? queue : undefined;
        });

      // First half; then, with nothing in flight and the queue drained, instance 2 is killed.
      const half = Math.floor(sent.length / 2);
      const quarter = Math.floor(sent.length / 4);
      const answers = await sendAll(front, sent.slice(0, half));
      await drained();
      const victim = instances[1] as ChildProcess;
      const lastWords = await health(direct[1] as string);
      expect(lastWords.pid).toBe(victim.pid);
      victim.kill("SIGKILL");
      await exited(victim);

      // A quarter while it is down: nginx sends them to the others.
      answers.push(...(await sendAll(front, sent.slice(half, half + quarter))));
      const restarted = await instance(ports[1] as number, redis.url);
      // nginx tries a failed instance again after fail_timeout (2 s in the example's configuration).
      await new Promise((resolve) => setTimeout(resolve, 2500));
      answers.push(...(await sendAll(front, sent.slice(half + quarter))));

      expect(answers).toHaveLength(sent.length);
      expect(
        answers.filter((answer) => JSON.stringify(answer) !== JSON.stringify({ status: 200, ack: OK })),
      ).toEqual([]);
      const queue = await drained();
      // Each distinct callback is one job, however often it was delivered.
      expect(queue).toEqual({ waiting: 0, active: 0, delayed: 0, completed: events.length, failed: 0 });

      for (const base of [...direct, front]) {
        expect((await getJson<{ rooms: RoomView[] }>(`${base}/rooms`)).rooms).toEqual(expected);
      }

      const final = await Promise.all(direct.map(health));
      expect(final.map((h) => h.pid)).toEqual(
        instances.map((child, i) => (i === 1 ? restarted.pid : child.pid)),
      );
      for (const h of final) {
        expect(h).toMatchObject({ ok: true, mode: "redis", rooms: expected.length, queue });
        // Every instance received callbacks and worked jobs, the restarted one included.
        expect(h.callbacks.accepted).toBeGreaterThan(0);
        expect(h.events.applied).toBeGreaterThan(0);
      }
      // Counts are per process since it started: the killed process's last report, plus the live ones.
      const lifetimes = [lastWords, ...final];
      const sum = (count: (h: Health) => number) => lifetimes.reduce((total, h) => total + count(h), 0);
      expect(sum((h) => h.callbacks.accepted)).toBe(sent.length);
      expect(sum((h) => h.callbacks.failed)).toBe(0);
      // Each distinct event was applied (or found stale, behind its room's destroy) once, by one worker.
      expect(sum((h) => h.events.applied + h.events.stale)).toBe(events.length);
    });
  });
});

describeWithServer("nginx", "npm run cluster", () => {
  describeWithServer("redis-server", "the cluster script", () => {
    let cluster: ChildProcess | undefined;
    let pids: number[] = [];

    afterAll(async () => {
      if (cluster && cluster.exitCode === null && cluster.signalCode === null) {
        cluster.kill("SIGTERM");
        const timer = setTimeout(() => cluster?.kill("SIGKILL"), 15_000);
        await exited(cluster);
        clearTimeout(timer);
      }
      // If the script itself was killed, what it started must not outlive the test.
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    });

    it("starts redis-server, 2 instances and nginx with the example's configuration, serves through nginx, and stops them all on SIGTERM", async () => {
      cluster = spawn(
        process.execPath,
        ["--require", HOOK, join(root, "example-app", "cluster.ts"), "--instances", "2"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let text = "";
      cluster.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
      const lines = createInterface({ input: cluster.stdout as NodeJS.ReadableStream });
      const summary: string[] = [];
      await new Promise<void>((resolve, reject) => {
        lines.on("line", (line) => {
          text += `${line}\n`;
          if (!line.includes(" | ")) summary.push(line);
          if (line === "Ctrl-C stops them all.") resolve();
        });
        cluster?.once("exit", () => reject(new Error(`the cluster script exited:\n${text}`)));
      });
      const field = (name: string) => summary.find((line) => line.startsWith(`  ${name}`)) ?? "";
      pids = summary.flatMap((line) => [...line.matchAll(/\(pid (\d+)/g)].map((match) => Number(match[1])));
      expect(pids).toHaveLength(4); // two instances, nginx, redis

      const front = /http:\/\/127\.0\.0\.1:(\d+)\/trtc/.exec(field("Callback URL:"));
      const listen = Number(front?.[1]);
      const upstreams = [1, 2].map((i) => Number(/127\.0\.0\.1:(\d+)/.exec(field(`instance ${i}:`))?.[1]));
      const conf = /configuration (\S+)\)/.exec(field("nginx:"))?.[1] ?? "";
      // The script runs the configuration the README shows and the cluster test runs.
      expect(readFileSync(conf, "utf8")).toBe(nginxConfig({ listen, upstreams, dir: dirname(conf) }));

      const base = `http://127.0.0.1:${listen}`;
      let now = T;
      const events = planMeeting(
        { roomId: "through-nginx", members: 3, seats: 2, keepRoom: true },
        () => (now += 1000),
      ).map((step) => normalised(step().event));
      for (const event of events) expect(await post(base, event)).toEqual({ status: 200, ack: OK });
      const expected = await expectedRooms(events);
      const served = await until(async () => {
        const { rooms } = await getJson<{ rooms: RoomView[] }>(`${base}/rooms`);
        const h = await getJson<Health>(`${base}/healthz`);
        return h.queue.completed === events.length ? rooms : undefined;
      });
      expect(served).toEqual(expected);

      cluster.kill("SIGTERM");
      const [code] = (await once(cluster, "exit")) as [number | null];
      expect(code).toBe(0);
      expect(text).toContain("stopped\n");
      for (const pid of pids)
        expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
      expect(existsSync(dirname(conf))).toBe(false);
    });
  });
});
