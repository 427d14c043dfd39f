import { createExampleApp } from "./app";

const port = Number(process.env["PORT"] ?? 3000);
const sdkAppId = process.env["TRTC_SDK_APP_ID"] ?? "1400000001";
const token = process.env["TRTC_CALLBACK_TOKEN"] || undefined;

createExampleApp({ sdkAppId, token }).listen(port, () => {
  const url = `http://127.0.0.1:${port}/trtc`;
  console.log(`trtc-room-callbacks example listening: callback URL ${url}`);
  console.log(
    `try: curl -s -X POST '${url}?SdkAppid=${sdkAppId}&CallbackCommand=Room.CallbackAfterMemberEnter' -d '{"RoomId":"r1","MemberList_Account":["alice"]}'`,
  );
});
