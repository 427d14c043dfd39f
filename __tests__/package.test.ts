import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * The package as users get it: packed, installed into a fresh folder next to
 * Express, TypeScript 6.0 and @types/express, then loaded by name from
 * CommonJS and from an ES module, both the main entry and `/testing`, and
 * type-checked as a TypeScript consumer under `node16` and `bundler`
 * module resolution.
 */
const root = join(__dirname, "..");
// Each test starts node or tsc: on a busy 2-core machine that takes more than Jest's default 5 s.
jest.setTimeout(30_000);
const execFileAsync = promisify(execFile);
let consumer: string;
let packedFiles: string[];

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a command without blocking the event loop, so several can share the test's time. */
async function runAsync(command: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { cwd, encoding: "utf8" });
  return stdout;
}

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "trtc-consumer-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", consumer], root)) as [
    { filename: string; files: { path: string }[] },
  ];
  const [{ filename, files }] = packed;
  packedFiles = files.map((file) => file.path);
  const typescript = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson)
    .devDependencies.typescript;
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      join(consumer, filename),
      "express@5",
      `typescript@${typescript}`,
      "@types/express@5",
    ],
    consumer,
  );
  cpSync(join(__dirname, "consumer"), consumer, { recursive: true });
}, 180_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

/** Runs the consumer's tsc on one project: its errors ("" when none) and the files it read. */
function typeCheck(project: string): Promise<{ project: string; errors: string; files: string }> {
  const tsc = join(consumer, "node_modules", "typescript", "bin", "tsc");
  return runAsync("node", [tsc, "-p", project, "--listFiles"], consumer).then(
    (stdout) => ({ project, errors: "", files: stdout }),
    (error: { stdout?: string }) => ({ project, errors: error.stdout ?? String(error), files: "" }),
  );
}

interface PackageJson {
  devDependencies: Record<string, string>;
}

const ok = '200 {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';
const kit = "OK 4321 true 144115233775727695 17773bc3";

it("ships the build of both entries and nothing from the sources", () => {
  expect(packedFiles).toEqual(
    expect.arrayContaining([
      "dist/index.js",
      "dist/index.d.ts",
      "dist/testing/index.js",
      "dist/testing/index.d.ts",
      "package.json",
      "README.md",
    ]),
  );
  expect(packedFiles.filter((path) => path.startsWith("lib/") || path.startsWith("__tests__/"))).toEqual([]);
});

const REPOSITORY = "https://github.com/trtc-room-callbacks/trtc-room-callbacks";

it("ships a LICENSE and the README, and package.json says where the project lives", () => {
  expect(packedFiles).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
  const installed = join(consumer, "node_modules", "trtc-room-callbacks");
  const license = readFileSync(join(installed, "LICENSE"), "utf8");
  expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 trtc-room-callbacks contributors\n/);
  expect(license).toContain('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<
    string,
    unknown
  >;
  expect(manifest).toMatchObject({
    license: "MIT",
    repository: { type: "git", url: `git+${REPOSITORY}.git` },
    homepage: `${REPOSITORY}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    peerDependencies: { "@types/express": expect.any(String) },
    peerDependenciesMeta: { "@types/express": { optional: true } },
  });
});

it("has README links that work from the npm page: absolute, or to a heading of the README", () => {
  const readme = readFileSync(join(consumer, "node_modules", "trtc-room-callbacks", "README.md"), "utf8");
  // Code blocks hold no links, and their `# comments` are not headings.
  const prose = readme.replace(/^```[\s\S]*?^```$/gm, "");
  // GitHub's and npm's heading anchors: lower case, punctuation but "-" dropped, spaces as "-".
  const anchors = new Set(
    [...prose.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading = ""]) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    ),
  );
  const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target = ""]) => target);
  expect(targets.length).toBeGreaterThan(5);
  for (const target of targets) {
    const works = /^https:\/\//.test(target) || (target.startsWith("#") && anchors.has(target.slice(1)));
    expect({ target, works }).toEqual({ target, works: true });
  }
  // Links into the repository name files that exist in it.
  for (const target of targets.filter((target) => target.startsWith(`${REPOSITORY}/`))) {
    const path = target.replace(new RegExp(`^${REPOSITORY}/(?:tree|blob)/main/`), "");
    expect({ target, exists: existsSync(join(root, path)) }).toEqual({ target, exists: true });
  }
});

it("loads with require() and answers a callback", async () => {
  expect((await runAsync("node", ["consumer.cjs"], consumer)).trim()).toBe(`cjs ${ok}`);
});

it("loads with an ESM named import and answers a callback", async () => {
  expect((await runAsync("node", ["consumer.mjs"], consumer)).trim()).toBe(`esm ${ok}`);
});

it("loads trtc-room-callbacks/testing with require() and runs callbacks in-process", async () => {
  expect((await runAsync("node", ["testing.cjs"], consumer)).trim()).toBe(`cjs ${kit}`);
});

it("loads trtc-room-callbacks/testing with an ESM named import and runs callbacks in-process", async () => {
  expect((await runAsync("node", ["testing.mjs"], consumer)).trim()).toBe(`esm ${kit}`);
});

it("resolves only the exported entry points", async () => {
  const script = `
    for (const name of ["trtc-room-callbacks", "trtc-room-callbacks/testing", "trtc-room-callbacks/dist/testing/index.js"]) {
      try { require.resolve(name); console.log(name, "ok"); } catch (error) { console.log(name, error.code); }
    }`;
  expect((await runAsync("node", ["-e", script], consumer)).trim().split("\n")).toEqual([
    "trtc-room-callbacks ok",
    "trtc-room-callbacks/testing ok",
    "trtc-room-callbacks/dist/testing/index.js ERR_PACKAGE_PATH_NOT_EXPORTED",
  ]);
});

// One test for both resolutions, run side by side. node16 also checks the
// package's declarations (skipLibCheck off); bundler trusts them, to save time.
it("type-checks a TypeScript consumer under moduleResolution node16 and bundler (with exactOptionalPropertyTypes)", async () => {
  for (const { project, errors, files } of await Promise.all([
    typeCheck("tsconfig.node16.json"),
    typeCheck("tsconfig.bundler.json"),
  ])) {
    expect({ project, errors }).toEqual({ project, errors: "" });
    // The imports resolved through the package's exports to its declarations.
    expect(files).toContain("node_modules/trtc-room-callbacks/dist/index.d.ts");
    expect(files).toContain("node_modules/trtc-room-callbacks/dist/testing/index.d.ts");
  }
}, 60_000);

it("installs the bin, executable, and it answers --help", async () => {
  expect(packedFiles).toContain("dist/cli/bin.js");
  const bin = join(consumer, "node_modules", ".bin", "trtc-room-callbacks");
  const help = await runAsync(bin, ["--help"], consumer);
  expect(help).toMatch(/send/);
  expect(help).toMatch(/simulate/);
});

describe("the transport entries from the packed tarball: node:http listener, /fetch, /fastify", () => {
  const served =
    "listener 200 OK 144115233775727695 | fetch 200 OK 144115233775727695 | fastify 200 OK 144115233775727695";

  beforeAll(() => {
    // Fastify is an optional peer: a Fastify user has it installed beside the package.
    const fastify = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson)
      .devDependencies.fastify;
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `fastify@${fastify}`], consumer);
  }, 180_000);

  it("ships the build of /fetch and /fastify", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "dist/fetch/index.js",
        "dist/fetch/index.d.ts",
        "dist/fastify/index.js",
        "dist/fastify/index.d.ts",
      ]),
    );
  });

  it("loads each with require() and answers a callback, its 18-digit ID exact", async () => {
    expect((await runAsync("node", ["transports.cjs"], consumer)).trim()).toBe(`cjs ${served}`);
  });

  it("loads each with an ESM named import and answers a callback, its 18-digit ID exact", async () => {
    expect((await runAsync("node", ["transports.mjs"], consumer)).trim()).toBe(`esm ${served}`);
  });

  it("type-checks them under moduleResolution node16 and bundler", async () => {
    for (const { project, errors, files } of await Promise.all([
      typeCheck("tsconfig.transports-node16.json"),
      typeCheck("tsconfig.transports-bundler.json"),
    ])) {
      expect({ project, errors }).toEqual({ project, errors: "" });
      expect(files).toContain("node_modules/trtc-room-callbacks/dist/fetch/index.d.ts");
      expect(files).toContain("node_modules/trtc-room-callbacks/dist/fastify/index.d.ts");
    }
  }, 60_000);
});

describe("the feature entries from the packed tarball: /rest, /room-state, /bullmq, /prometheus", () => {
  const withPeers = "room-state 200 Standup | prometheus true | bullmq function ConfigurationError";

  it("ships their build", () => {
    for (const entry of ["rest", "room-state", "bullmq", "prometheus"]) {
      expect(packedFiles).toEqual(
        expect.arrayContaining([`dist/${entry}/index.js`, `dist/${entry}/index.d.ts`]),
      );
    }
  });

  it("loads /rest and /room-state while none of the optional peers (bullmq, ioredis, prom-client) is installed", async () => {
    for (const peer of ["bullmq", "ioredis", "prom-client"]) {
      expect({ peer, installed: existsSync(join(consumer, "node_modules", peer)) }).toEqual({
        peer,
        installed: false,
      });
    }
    const line = "rest true adminapisgp.im.qcloud.com function | room-state 1";
    expect((await runAsync("node", ["features.cjs", "without-peers"], consumer)).trim()).toBe(`cjs ${line}`);
    expect((await runAsync("node", ["features.mjs", "without-peers"], consumer)).trim()).toBe(`esm ${line}`);
  });

  describe("with the peers a user of each entry installs", () => {
    beforeAll(() => {
      const versions = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson)
        .devDependencies;
      const peers = ["bullmq", "ioredis", "prom-client"].map((name) => `${name}@${versions[name]}`);
      run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...peers], consumer);
    }, 180_000);

    it("loads each with require(): room state fed by a listener, counted by the metrics, a queue refused", async () => {
      expect((await runAsync("node", ["features.cjs"], consumer)).trim()).toBe(`cjs ${withPeers}`);
    });

    it("loads each with an ESM import", async () => {
      expect((await runAsync("node", ["features.mjs"], consumer)).trim()).toBe(`esm ${withPeers}`);
    });

    it("type-checks them under moduleResolution node16 and bundler", async () => {
      for (const { project, errors, files } of await Promise.all([
        typeCheck("tsconfig.features-node16.json"),
        typeCheck("tsconfig.features-bundler.json"),
      ])) {
        expect({ project, errors }).toEqual({ project, errors: "" });
        for (const entry of ["rest", "room-state", "bullmq", "prometheus"]) {
          expect(files).toContain(`node_modules/trtc-room-callbacks/dist/${entry}/index.d.ts`);
        }
      }
    }, 60_000);
  });
});
