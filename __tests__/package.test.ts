import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The package as users get it: packed, installed into a fresh folder next to
 * Express, then loaded by name from CommonJS and from an ES module.
 */
const root = join(__dirname, "..");
let consumer: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), "trtc-consumer-"));
  const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", consumer], root)) as [
    { filename: string; files: { path: string }[] },
  ];
  const [{ filename, files }] = packed;
  expect(files.map((file) => file.path)).toEqual(
    expect.arrayContaining(["dist/index.js", "dist/index.d.ts", "package.json", "README.md"]),
  );
  expect(files.some((file) => file.path.startsWith("lib/") || file.path.startsWith("__tests__/"))).toBe(
    false,
  );
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", join(consumer, filename), "express@5"],
    consumer,
  );
  cpSync(join(__dirname, "consumer"), consumer, { recursive: true });
}, 180_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

const ok = '200 {"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';

it("loads with require() and answers a callback", () => {
  expect(run("node", ["consumer.cjs"], consumer).trim()).toBe(`cjs ${ok}`);
});

it("loads with an ESM named import and answers a callback", () => {
  expect(run("node", ["consumer.mjs"], consumer).trim()).toBe(`esm ${ok}`);
});
