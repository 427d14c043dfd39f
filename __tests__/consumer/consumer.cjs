// Installed from the packed tarball: CommonJS `require` by name.
const express = require("express");
const { createCallbackRouter, CallbackError, ErrorCodes } = require("trtc-room-callbacks");
const { answer } = require("./answer.cjs");

if (typeof CallbackError !== "function" || ErrorCodes.HandlerFailed !== 5000)
  throw new Error("exports missing");
const app = express();
app.use(
  "/trtc",
  createCallbackRouter({
    sdkAppId: 1400000001,
    handlers: { "Room.CallbackAfterMemberEnter": async () => {} },
  }),
);
answer(app, "cjs");
