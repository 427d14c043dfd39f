// Installed from the packed tarball: ESM named `import` of a CommonJS package.
import express from "express";
import { createCallbackRouter, CallbackError } from "trtc-room-callbacks";
import helper from "./answer.cjs";

if (typeof CallbackError !== "function") throw new Error("CallbackError missing");
const app = express();
app.use(
  "/trtc",
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
  }),
);
helper.answer(app, "esm");
