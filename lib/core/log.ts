import createDebug from "debug";

/** Traces for developers, enabled with `DEBUG=trtc-room-callbacks*`. The package never writes to the console itself. */
export const log = {
  request: createDebug("trtc-room-callbacks:request"),
  dispatch: createDebug("trtc-room-callbacks:dispatch"),
  error: createDebug("trtc-room-callbacks:error"),
};
