// Runs one callback through each transport entry and prints what came back: `<entry> <status> <ActionStatus> <member>`.
const http = require("node:http");

const QUERY =
  "SdkAppid=1400000001&CallbackCommand=Mic.CallbackAfterSeatInfoChanged&contenttype=json&ClientIP=1.2.3.4&OptPlatform=Web";
// The 18-digit ID is a bare number, as Tencent sends it: it must reach the handler exact.
const BODY =
  '{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","Operator_Account":"user1","RoomId":"r1",' +
  '"SeatList":[{"Index":1,"Member_Account":144115233775727695}],"EventTime":1670574414123}';

function options(seen) {
  return {
    sdkAppId: 1400000001,
    handlers: {
      "Mic.CallbackAfterSeatInfoChanged": (event) => {
        seen.push(event.SeatList[0].Member_Account);
      },
    },
  };
}

async function line(name, response, seen) {
  const ack = JSON.parse(await response.text());
  return `${name} ${response.status} ${ack.ActionStatus} ${seen.join(",")}`;
}

async function run({ createCallbackListener, createCallbackFetchHandler, trtcRoomCallbacks, Fastify }) {
  const lines = [];
  {
    const seen = [];
    const server = http.createServer(createCallbackListener(options(seen)));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const response = await fetch(`http://127.0.0.1:${server.address().port}/trtc?${QUERY}`, {
      method: "POST",
      body: BODY,
    });
    lines.push(await line("listener", response, seen));
    server.close();
  }
  {
    const seen = [];
    const handler = createCallbackFetchHandler(options(seen));
    const response = await handler(
      new Request(`https://example.com/trtc?${QUERY}`, { method: "POST", body: BODY }),
    );
    lines.push(await line("fetch", response, seen));
  }
  {
    const seen = [];
    const app = Fastify();
    await app.register(trtcRoomCallbacks, { prefix: "/trtc", ...options(seen) });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const response = await fetch(`http://127.0.0.1:${app.server.address().port}/trtc?${QUERY}`, {
      method: "POST",
      body: BODY,
    });
    lines.push(await line("fastify", response, seen));
    await app.close();
  }
  return lines.join(" | ");
}

module.exports = { run };
