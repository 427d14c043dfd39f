// Installed from the packed tarball: the feature entries by ESM named imports.
import { createRequire } from "node:module";
import { createRoomState, memoryRoomStore, redisRoomStore } from "trtc-room-callbacks/room-state";
import { createRoomConfigClient, genUserSig, TencentApiError } from "trtc-room-callbacks/rest";

const { withPeers, withoutPeers } = createRequire(import.meta.url)("./features-run.cjs");
for (const value of [
  createRoomState,
  memoryRoomStore,
  redisRoomStore,
  createRoomConfigClient,
  genUserSig,
  TencentApiError,
]) {
  if (typeof value !== "function") throw new Error("a named export is missing");
}
const load = (name) => import(name);
console.log(`esm ${await (process.argv[2] === "without-peers" ? withoutPeers(load) : withPeers(load))}`);
