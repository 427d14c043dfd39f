// Installed from the packed tarball: ESM named `import` of the testing kit, run in-process.
import { CallbackError, ErrorCodes } from "trtc-room-callbacks";
import { callbackQuery, createCallbackTester, sampleEvent, sign } from "trtc-room-callbacks/testing";
import helper from "./report.cjs";

helper.report(
  "esm",
  { CallbackError, ErrorCodes },
  { callbackQuery, createCallbackTester, sampleEvent, sign },
);
