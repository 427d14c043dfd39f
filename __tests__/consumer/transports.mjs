// Installed from the packed tarball: the transport entries by ESM named `import`.
import Fastify from "fastify";
import { createCallbackListener } from "trtc-room-callbacks";
import { createCallbackFetchHandler, CallbackError } from "trtc-room-callbacks/fetch";
import { trtcRoomCallbacks } from "trtc-room-callbacks/fastify";
import helper from "./transports-run.cjs";

if (typeof CallbackError !== "function") throw new Error("CallbackError missing from /fetch");
console.log(
  `esm ${await helper.run({ createCallbackListener, createCallbackFetchHandler, trtcRoomCallbacks, Fastify })}`,
);
