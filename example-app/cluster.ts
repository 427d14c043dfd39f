import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { createInterface } from "node:readline";
import { nginxConfig } from "./nginx-config";

/**
 * `npm run cluster`: a redis-server, N example app instances in Redis mode and nginx in front of
 * them (round robin), each on a free loopback port, in a temporary folder; Ctrl-C (or SIGTERM)
 * stops them all. Usage: `npm run cluster [-- --instances N]` (default 3). Needs redis-server and
 * nginx (Debian: `apt-get install -y redis-server nginx`).
 */

const DEFAULT_INSTANCES = 3;

interface Child {
  name: string;
  process: ChildProcess;
  /** Set once we stop it: its exit is then expected. */
  stopping: boolean;
}

async function main(argv: readonly string[]): Promise<void> {
  const instances = parseInstances(argv);
  const redisServer = find("redis-server");
  const nginx = find("nginx");
  const missing = [redisServer ? undefined : "redis-server", nginx ? undefined : "nginx"].filter(Boolean);
  if (!redisServer || !nginx) {
    throw new Error(
      `${missing.join(" and ")} not found: install them (Debian: apt-get install -y ${missing.join(" ")})`,
    );
  }

  const dir = mkdtempSync(join(tmpdir(), "trtc-cluster-"));
  // nginx's workers run as nobody when it starts as root: they must reach the folder.
  chmodSync(dir, 0o755);
  const children: Child[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (code: number) => {
    stopping ??= (async () => {
      // Instances first (they finish their requests and jobs on Redis), then nginx, then Redis.
      const order = [...children].reverse();
      for (const child of order) child.stopping = true;
      await Promise.all(order.filter((child) => child.name.startsWith("instance")).map(stop));
      await Promise.all(order.filter((child) => !child.name.startsWith("instance")).map(stop));
      rmSync(dir, { recursive: true, force: true });
      process.stdout.write("stopped\n");
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stopAll(0));

  const run = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Child => {
    const child: Child = {
      name,
      // A group of its own: Ctrl-C reaches this script only, which then stops each child in order
      // (an instance that got SIGINT from the terminal and SIGTERM from here would stop at once).
      process: spawn(command, args, {
        env: env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      }),
      stopping: false,
    };
    for (const stream of [child.process.stdout, child.process.stderr]) {
      if (stream)
        createInterface({ input: stream }).on("line", (line) => process.stdout.write(`${name} | ${line}\n`));
    }
    child.process.on("exit", (code, signal) => {
      if (child.stopping) return;
      process.stdout.write(`${name} exited (${signal ?? `code ${code}`})\n`);
      // Without Redis or nginx there is no cluster; a lost instance is left for nginx to route around.
      if (!name.startsWith("instance")) void stopAll(1);
    });
    children.push(child);
    return child;
  };

  try {
    const redisPort = await freePort();
    const redis = run("redis", redisServer, [
      ...["--port", String(redisPort), "--bind", "127.0.0.1", "--dir", dir, "--daemonize", "no"],
      ...["--save", "", "--appendonly", "yes", "--maxmemory-policy", "noeviction", "--loglevel", "warning"],
    ]);
    await waitForPort(redisPort, redis.process);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;

    const server = join(__dirname, `server${extname(__filename)}`);
    const ports: number[] = [];
    const started: Promise<void>[] = [];
    for (let i = 1; i <= instances; i++) {
      const port = await freePort();
      ports.push(port);
      const instance = run(`instance ${i}`, process.execPath, [...process.execArgv, server], {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(port),
        REDIS_URL: redisUrl,
      });
      started.push(waitForPort(port, instance.process));
    }
    await Promise.all(started);

    const listen = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(conf, nginxConfig({ listen, upstreams: ports, dir }));
    const front = run("nginx", nginx, [
      ...["-p", `${dir}/`, "-e", join(dir, "error.log"), "-c", conf],
      ...["-g", `daemon off; pid ${join(dir, "nginx.pid")};`],
    ]);
    await waitForPort(listen, front.process);

    const base = `http://127.0.0.1:${listen}`;
    const pid = (name: string) => children.find((child) => child.name === name)?.process.pid;
    process.stdout.write(
      [
        "",
        `trtc-room-callbacks example cluster: ${instances} instances on one Redis, behind nginx (round robin)`,
        `  Callback URL:  ${base}/trtc`,
        `  Room state:    ${base}/rooms`,
        `  Health:        ${base}/healthz   (one instance's counts; each instance's below)`,
        ...ports.map(
          (port, i) => `  instance ${i + 1}:    http://127.0.0.1:${port}   (pid ${pid(`instance ${i + 1}`)})`,
        ),
        `  nginx:         ${base}   (pid ${pid("nginx")}, configuration ${conf})`,
        `  redis:         ${redisUrl}   (pid ${pid("redis")})`,
        "",
        "Play a meeting through nginx:",
        `  npx trtc-room-callbacks simulate --url ${base}/trtc --sdk-app-id 1400000001`,
        "Ctrl-C stops them all.",
        "",
      ].join("\n"),
    );
  } catch (error) {
    process.stdout.write(`${(error as Error).message}\n`);
    await stopAll(1);
  }
}

function parseInstances(argv: readonly string[]): number {
  if (argv.length === 0) return DEFAULT_INSTANCES;
  const [flag, value] = argv;
  if (flag === "--instances" && value !== undefined && /^\d+$/.test(value) && argv.length === 2) {
    const count = Number(value);
    if (count >= 1 && count <= 32) return count;
  }
  throw new Error(
    `usage: npm run cluster [-- --instances N]   (N from 1 to 32, default ${DEFAULT_INSTANCES})`,
  );
}

/** A program on the PATH or in /usr/sbin (where Debian puts nginx). */
function find(program: string): string | undefined {
  for (const candidate of [program, `/usr/sbin/${program}`]) {
    const found = spawnSync("sh", ["-c", 'command -v "$0"', candidate], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

async function stop(child: Child): Promise<void> {
  const { process: running } = child;
  if (running.exitCode !== null || running.signalCode !== null) return;
  const exited = once(running, "exit");
  running.kill("SIGTERM");
  const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`a process meant to listen on port ${port} exited first (see its lines above)`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on port ${port} within 30 s`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
