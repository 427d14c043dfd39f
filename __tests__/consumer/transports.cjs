// Installed from the packed tarball: the transport entries by CommonJS `require`.
const Fastify = require("fastify");
const { createCallbackListener } = require("trtc-room-callbacks");
const { createCallbackFetchHandler, ErrorCodes } = require("trtc-room-callbacks/fetch");
const { trtcRoomCallbacks } = require("trtc-room-callbacks/fastify");
const { run } = require("./transports-run.cjs");

if (ErrorCodes.BodyAlreadyRead !== 5901) throw new Error("ErrorCodes missing from /fetch");
run({ createCallbackListener, createCallbackFetchHandler, trtcRoomCallbacks, Fastify }).then((out) =>
  console.log(`cjs ${out}`),
);
