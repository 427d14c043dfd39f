// Installed from the packed tarball: CommonJS `require` of the testing kit, run in-process.
const { CallbackError, ErrorCodes } = require("trtc-room-callbacks");
const { callbackQuery, createCallbackTester, sampleEvent, sign } = require("trtc-room-callbacks/testing");
const { report } = require("./report.cjs");

report("cjs", { CallbackError, ErrorCodes }, { callbackQuery, createCallbackTester, sampleEvent, sign });
