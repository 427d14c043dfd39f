// Installed from the packed tarball: the transport entries type-checked (never run) under node16 and bundler.
import Fastify, { type FastifyRequest } from "fastify";
import http, { type IncomingMessage } from "node:http";
import { createCallbackListener, type CallbackOptions } from "trtc-room-callbacks";
import {
  CallbackError,
  createCallbackFetchHandler,
  ErrorCodes,
  type CallbackFetchHandler,
  type CallbackHandlers,
} from "trtc-room-callbacks/fetch";
import { trtcRoomCallbacks, type FastifyCallbackOptions } from "trtc-room-callbacks/fastify";

const shared: CallbackHandlers<unknown> = {
  "Room.CallbackAfterDestroyRoom": (event) => {
    if (event.RoomId === "") throw new CallbackError("no room", { code: ErrorCodes.InvalidEvent });
  },
};

const nodeOptions: CallbackOptions<IncomingMessage> = {
  sdkAppId: 1400000001,
  handlers: {
    ...shared,
    "Room.CallbackAfterMemberEnter": (_event, context) => context.request.headers["user-agent"],
  },
};
http.createServer(createCallbackListener(nodeOptions));

export const POST: CallbackFetchHandler = createCallbackFetchHandler({
  sdkAppId: "1400000001",
  handlers: {
    ...shared,
    "Room.CallbackAfterMemberEnter": (_event, context) => context.request.headers.get("user-agent"),
  },
});
const answer: Promise<Response> = POST(new Request("https://example.com/trtc", { method: "POST" }));

const fastifyOptions: FastifyCallbackOptions = {
  sdkAppId: 1400000001,
  handlers: {
    "Room.CallbackAfterMemberEnter": (_event, context) => {
      const request: FastifyRequest = context.request;
      return request.ip;
    },
  },
};
const app = Fastify();
const registered: PromiseLike<unknown> = app.register(trtcRoomCallbacks, {
  prefix: "/trtc",
  ...fastifyOptions,
});

// @ts-expect-error: a handler for a command that does not exist
createCallbackFetchHandler({ sdkAppId: 1, handlers: { "Room.CallbackAfterNothing": () => undefined } });

export { answer, registered };
