import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Real servers for the tests that need them (redis-server, nginx), started on
 * free loopback ports in temporary folders and stopped after. Where a server
 * is not installed, a suite prints one loud line and skips; with
 * `TRTC_REQUIRE_SERVERS=1` (set by `.ci/run`) that skip is a failure instead.
 */

/** Whether a program is on the PATH (or at one of the usual sbin paths). */
export function which(program: string): string | undefined {
  for (const candidate of [program, `/usr/sbin/${program}`, `/usr/bin/${program}`]) {
    const found = spawnSync("sh", ["-c", `command -v ${candidate}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

/**
 * `describe` when `program` is installed; otherwise one loud line and a
 * skipped suite, or a failing one when `TRTC_REQUIRE_SERVERS=1`.
 */
export function describeWithServer(program: string, name: string, body: () => void): void {
  if (which(program) !== undefined) {
    describe(name, body);
    return;
  }
  const line = `!!! ${program} is not installed: "${name}" is SKIPPED. Install it (apt-get install -y ${program}) or run bash .ci/run.`;
  if (process.env["TRTC_REQUIRE_SERVERS"] === "1") {
    describe(name, () => {
      it(`needs ${program}`, () => {
        throw new Error(line);
      });
    });
    return;
  }
  process.stderr.write(`${line}\n`);
  describe.skip(name, body);
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
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

/** A redis-server of the test's own. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  readonly process: ChildProcess;
  /** SIGSTOP: the server stops answering but keeps its connections. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it to exit; keeps its folder. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (with AOF, what was written survives). */
  restart(): Promise<RedisServer>;
  /** Stops it and removes its folder. */
  close(): Promise<void>;
}

export interface RedisServerOptions {
  /** Turn on the append-only file (`appendfsync always`), so a restart keeps every write. */
  aof?: boolean;
}

/** Starts redis-server on a free loopback port with a temporary data folder; resolves once it answers PING. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "trtc-redis-"));
  const port = await freePort();
  return launchRedis(port, dir, options);
}

async function launchRedis(port: number, dir: string, options: RedisServerOptions): Promise<RedisServer> {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.aof ? "yes" : "no",
    "--appendfsync",
    "always",
    "--maxmemory-policy",
    "noeviction",
    "--daemonize",
    "no",
    "--loglevel",
    "warning",
  ];
  const child = spawn(which("redis-server") ?? "redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, child, () => stderr);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    process: child,
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    stop,
    restart: async () => {
      await stop();
      return launchRedis(port, dir, options);
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts connections on `port`; rejects if `child` exits first or after 10 s. */
export async function waitForPort(
  port: number,
  child: ChildProcess,
  output: () => string = () => "",
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server on port ${port} exited before it listened: ${output()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() - started > 10_000)
      throw new Error(`nothing listened on port ${port} within 10 s: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Where nginx listens, what it balances over, and its folder: what a configuration is made from. */
export interface NginxLayout {
  readonly listen: number;
  readonly upstreams: readonly number[];
  readonly dir: string;
}

/** An nginx of the test's own. */
export interface NginxServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dir: string;
  readonly process: ChildProcess;
  /** What nginx logged (its error log), for a failing test's message. */
  errorLog(): string;
  /** Stops nginx (SIGTERM, then SIGKILL), waits for it to exit and removes its folder. */
  close(): Promise<void>;
}

export interface NginxOptions {
  /** The configuration; by default a round robin over `upstreams` with `proxy_next_upstream error timeout`. */
  config?: (layout: NginxLayout) => string;
}

/**
 * Starts nginx in the foreground on a free loopback port, in a temporary folder holding its
 * configuration, logs and pid file, proxying to 127.0.0.1 at `upstreamPorts`; resolves once it
 * accepts connections.
 */
export async function startNginx(
  upstreamPorts: readonly number[],
  options: NginxOptions = {},
): Promise<NginxServer> {
  const program = which("nginx");
  if (program === undefined) throw new Error("nginx is not installed (apt-get install -y nginx)");
  const dir = mkdtempSync(join(tmpdir(), "trtc-nginx-"));
  // nginx's workers run as nobody when it starts as root: they must reach the folder.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const layout = { listen: port, upstreams: upstreamPorts, dir };
  writeFileSync(join(dir, "nginx.conf"), (options.config ?? defaultNginxConfig)(layout));
  const child = spawn(
    program,
    [
      "-p",
      `${dir}/`,
      "-e",
      join(dir, "error.log"),
      "-c",
      join(dir, "nginx.conf"),
      "-g",
      `daemon off; pid ${join(dir, "nginx.pid")};`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const errorLog = () => {
    try {
      return stderr + readFileSync(join(dir, "error.log"), "utf8");
    } catch {
      return stderr;
    }
  };
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, errorLog);
  } catch (error) {
    await close();
    throw error;
  }
  return { port, url: `http://127.0.0.1:${port}`, dir, process: child, errorLog, close };
}

function defaultNginxConfig({ listen, upstreams, dir }: NginxLayout): string {
  return `worker_processes 1;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backends {
${upstreams.map((port) => `    server 127.0.0.1:${port};`).join("\n")}
  }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://backends;
      proxy_next_upstream error timeout;
    }
  }
}
`;
}
