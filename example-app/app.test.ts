import request from "supertest";
import type { CallbackCommand, CallbackEvent } from "trtc-room-callbacks";
import { callbackQuery, sampleEvent, type EventOverrides } from "trtc-room-callbacks/testing";
import { createExampleApp } from "./app";

const SDK_APP_ID = 1400000001;
const TOKEN = "example-app-token";
const ROOM = "standup";
const T = 1_700_000_000_000;
const OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };

/** A callback built from the kit's realistic sample, with the meeting's fields merged in. */
function event<C extends CallbackCommand>(command: C, overrides: EventOverrides<CallbackEvent<C>>) {
  return { command, body: sampleEvent(command, overrides) };
}

function newApp() {
  const lines: string[] = [];
  const app = createExampleApp({ sdkAppId: SDK_APP_ID, token: TOKEN, log: (line) => lines.push(line) });
  const deliver = async ({ command, body }: { command: CallbackCommand; body: object }) => {
    const res = await request(app)
      .post("/trtc")
      .query(callbackQuery({ sdkAppId: SDK_APP_ID, command, token: TOKEN }))
      .send(JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(OK);
  };
  const roomState = async () => (await request(app).get(`/rooms/${ROOM}`)).body as Record<string, unknown>;
  return { app, lines, deliver, roomState };
}

const seat = (Index: number, Member_Account: string | undefined, IsTakenDisabled = false) => ({
  Index,
  ...(Member_Account !== undefined && { Member_Account }),
  IsTakenDisabled,
  IsVideoDisabled: false,
  IsAudioDisabled: false,
});
const seatView = (index: number, member: string | null, locked = false) => ({
  index,
  member,
  locked,
  videoDisabled: false,
  audioDisabled: false,
});

const created = event("Room.CallbackAfterCreateRoom", {
  Operator_Account: "alice",
  RoomInfo: {
    RoomId: ROOM,
    RoomName: "Daily standup",
    Owner_Account: "alice",
    MaxSeatCount: 3,
    IsSeatEnabled: true,
    TakeSeatMode: "FreeToTake",
  },
  ScheduleInviteeList_Account: ["bob", "carol"],
  EventTime: T,
});
const enter = (member: string, time: number) =>
  event("Room.CallbackAfterMemberEnter", {
    Operator_Account: member,
    RoomId: ROOM,
    MemberList_Account: [member],
    EventTime: time,
  });
const seats = (time: number, ...list: ReturnType<typeof seat>[]) =>
  event("Mic.CallbackAfterSeatInfoChanged", { RoomId: ROOM, SeatList: list, EventTime: time });
const renamed = (name: string, time: number) =>
  event("Room.CallbackAfterUpdateRoomInfo", {
    Operator_Account: "alice",
    RoomInfo: { RoomId: ROOM, RoomName: name },
    EventTime: time,
  });

describe("the example app, driven through a meeting", () => {
  it("keeps the room's state after each step, through late and repeated callbacks", async () => {
    const { app, lines, deliver, roomState } = newApp();

    await request(app).get(`/rooms/${ROOM}`).expect(404);

    // 1. alice creates the room.
    await deliver(created);
    expect(await roomState()).toMatchObject({
      roomId: ROOM,
      settings: {
        RoomName: "Daily standup",
        Owner_Account: "alice",
        MaxSeatCount: 3,
        TakeSeatMode: "FreeToTake",
        RoomType: "Meeting", // from the kit's sample
      },
      invitees: ["bob", "carol"],
      members: [],
      seats: [],
      updatedAt: T,
    });

    // 2. alice and bob enter; alice takes seat 0.
    await deliver(enter("alice", T + 10));
    await deliver(enter("bob", T + 20));
    await deliver(seats(T + 30, seat(0, "alice"), seat(1, undefined), seat(2, undefined)));
    expect(await roomState()).toMatchObject({
      members: ["alice", "bob"],
      seats: [seatView(0, "alice"), seatView(1, null), seatView(2, null)],
    });

    // 3. bob takes seat 1 (T+60); carol's enter (T+50) arrives after it.
    await deliver(seats(T + 60, seat(0, "alice"), seat(1, "bob"), seat(2, undefined)));
    await deliver(enter("carol", T + 50));
    expect(await roomState()).toMatchObject({
      members: ["alice", "bob", "carol"],
      seats: [seatView(0, "alice"), seatView(1, "bob"), seatView(2, null)],
    });

    // 4. Tencent delivers bob's enter again, and a seat change from T+40 late.
    await deliver(enter("bob", T + 20));
    await deliver(seats(T + 40, seat(1, "alice")));
    expect(await roomState()).toMatchObject({
      members: ["alice", "bob", "carol"],
      seats: [seatView(0, "alice"), seatView(1, "bob"), seatView(2, null)],
      updatedAt: T + 60,
    });

    // 5. alice locks seat 2, then kicks bob: his seat is freed.
    await deliver(seats(T + 70, seat(0, "alice"), seat(1, "bob"), seat(2, undefined, true)));
    await deliver(
      event("Room.CallbackAfterMemberLeave", {
        Operator_Account: "alice",
        RoomId: ROOM,
        Type: "Kicked",
        MemberList_Account: ["bob"],
        EventTime: T + 80,
      }),
    );
    expect(await roomState()).toMatchObject({
      members: ["alice", "carol"],
      seats: [seatView(0, "alice"), seatView(1, null), seatView(2, null, true)],
    });

    // 6. Two renames arrive newest first: the older one does not win.
    await deliver(renamed("Standup (moved to 10:00)", T + 90));
    await deliver(renamed("Standup draft", T + 85));
    expect((await roomState())["settings"]).toMatchObject({ RoomName: "Standup (moved to 10:00)" });

    // 7. The room is destroyed; a late enter from before the destroy does not bring it back.
    await deliver(event("Room.CallbackAfterDestroyRoom", { RoomId: ROOM, EventTime: T + 100 }));
    await request(app).get(`/rooms/${ROOM}`).expect(404);
    await deliver(enter("dave", T + 95));
    await request(app).get(`/rooms/${ROOM}`).expect(404);
    await request(app).get("/rooms").expect(200, { rooms: [] });

    // 14 callbacks: bob's replay is a duplicate, dave's enter from before the destroy is stale;
    // the late seat change and rename are applied in their place in time, and lose to the newer ones.
    const health = await request(app).get("/healthz").expect(200);
    expect(health.body).toEqual({
      ok: true,
      mode: "memory",
      pid: process.pid,
      rooms: 0,
      callbacks: { accepted: 14, failed: 0 },
      events: { applied: 12, duplicate: 1, stale: 1 },
    });
    expect(lines).toContain(`Room.CallbackAfterMemberEnter ${ROOM}: duplicate`);
    expect(lines).toContain(`Room.CallbackAfterUpdateRoomInfo ${ROOM}: applied`);
    expect(lines.at(-1)).toBe(`Room.CallbackAfterMemberEnter ${ROOM}: stale`);
  });

  it("answers every command with OK and creates unknown rooms lazily", async () => {
    const { app, deliver } = newApp();
    await deliver(seats(T, seat(4, "erin")));
    await deliver(event("Room.CallbackAfterMemberEnter", { RoomId: "other", MemberList_Account: ["frank"] }));
    const res = await request(app).get("/rooms").expect(200);
    // Sorted by room ID.
    expect(res.body).toEqual({
      rooms: [
        expect.objectContaining({ roomId: "other", members: ["frank"] }),
        expect.objectContaining({ roomId: ROOM, members: ["erin"], seats: [seatView(4, "erin")] }),
      ],
    });
  });

  it("keeps the 18-digit user ID of the documented seat sample exact", async () => {
    const { deliver, roomState } = newApp();
    // The sample's Member_Account, 144115233775727695, is beyond 2^53.
    await deliver(event("Mic.CallbackAfterSeatInfoChanged", { RoomId: ROOM }));
    expect(await roomState()).toMatchObject({ members: ["144115233775727695"] });
  });

  it("changes nothing for a callback the router rejects, and logs why", async () => {
    const { app, lines } = newApp();
    const command = "Room.CallbackAfterMemberEnter";
    await request(app)
      .post("/trtc")
      .query(callbackQuery({ sdkAppId: SDK_APP_ID, command, token: "wrong-token" }))
      .send(JSON.stringify(sampleEvent(command, { RoomId: ROOM })))
      .expect(401);
    await request(app)
      .post("/trtc")
      .query(callbackQuery({ sdkAppId: 1400000002, command, token: TOKEN }))
      .send(JSON.stringify(sampleEvent(command, { RoomId: ROOM })))
      .expect(403);
    await request(app).get("/rooms").expect(200, { rooms: [] });
    // The command is named when the router knows it from the query before rejecting.
    expect(lines).toEqual([
      expect.stringMatching(/^(Room\.CallbackAfterMemberEnter|callback) rejected: 4013 Sign does not match/),
      expect.stringMatching(/^(Room\.CallbackAfterMemberEnter|callback) rejected: 4033 SdkAppid/),
    ]);
    const health = await request(app).get("/healthz").expect(200);
    expect(health.body).toMatchObject({ callbacks: { accepted: 0, failed: 2 }, events: { applied: 0 } });
  });

  it("serves JSON health and 404s for unknown rooms", async () => {
    const { app } = newApp();
    await request(app)
      .get("/healthz")
      .expect("Content-Type", /json/)
      .expect(200, {
        ok: true,
        mode: "memory",
        pid: process.pid,
        rooms: 0,
        callbacks: { accepted: 0, failed: 0 },
        events: { applied: 0, duplicate: 0, stale: 0 },
      });
    const res = await request(app).get("/rooms/nobody%20here").expect(404);
    expect(res.body).toEqual({ error: 'no room "nobody here"' });
  });
});
