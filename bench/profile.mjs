/**
 * Profiles one receiver under load: `node bench/profile.mjs router [seconds]`
 * starts it with `--cpu-prof`, loads it like the benchmark does, and prints
 * the functions with the most self time and the time charged to each
 * package. Profiles land in bench/profiles/ (ignored by git). Compiles the
 * package first, like the benchmark.
 */
import { fork } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import autocannon from "autocannon";
import { build, BUILD_DIR } from "./build.mjs";
import { BODY, HEADERS, PATH } from "./fixture.mjs";

const kind = process.argv[2] ?? "router";
const seconds = Number(process.argv[3] ?? 5);
const top = Number(process.argv[4] ?? 30);
const dir = new URL("./profiles/", import.meta.url).pathname;

build();
const child = fork(new URL("./receiver.mjs", import.meta.url), [kind], {
  execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`],
});
const port = await new Promise((resolve) => child.once("message", (message) => resolve(message.port)));
const url = `http://127.0.0.1:${port}${PATH}`;
const result = await autocannon({
  url,
  method: "POST",
  headers: HEADERS,
  body: BODY,
  connections: 10,
  duration: seconds,
});
console.log(`${kind}: ${Math.round(result.requests.total / result.duration)} req/s under the profiler`);
await new Promise((resolve) => {
  child.once("exit", resolve);
  child.kill("SIGTERM");
});

const newest = readdirSync(dir)
  .filter((name) => name.startsWith(`${kind}-`))
  .map((name) => dir + name)
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const { nodes, samples, timeDeltas } = JSON.parse(readFileSync(newest, "utf8"));
const byId = new Map(nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const self = new Map();
let total = 0;
samples.forEach((id, i) => {
  const { callFrame } = byId.get(id);
  const file = callFrame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/work\/main\//, "");
  const key = `${callFrame.functionName || "(anonymous)"} ${file}:${callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + timeDeltas[i]);
  total += timeDeltas[i];
});
console.log(`${newest}\nself time, top ${top}:`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

{
  // Each sample is charged to the innermost package on its stack, so Node's
  // own work (streams, HTTP, syscalls) counts for the package that asked for it.
  const charged = new Map();
  const ours = new Map();
  samples.forEach((id, i) => {
    let name = "node (no package on the stack)";
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at).callFrame;
      if (at === id && (functionName === "(idle)" || functionName === "(garbage collector)")) {
        name = functionName;
        break;
      }
      const found = url.includes(BUILD_DIR)
        ? "trtc-room-callbacks"
        : url.includes("/bench/")
          ? "bench"
          : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
      if (found !== undefined) {
        name = found;
        if (found === "trtc-room-callbacks") {
          const key = `${functionName || "(anonymous)"} ${url.slice(BUILD_DIR.length + 8)}`;
          ours.set(key, (ours.get(key) ?? 0) + timeDeltas[i]);
        }
        break;
      }
    }
    charged.set(name, (charged.get(name) ?? 0) + timeDeltas[i]);
  });
  console.log("\ntime charged to the innermost package on the stack:");
  for (const [name, us] of [...charged].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
  if (ours.size > 0) console.log("\nof which trtc-room-callbacks, by innermost function of the package:");
  for (const [name, us] of [...ours].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}
