import type { CallbackEvent, RoomInfo, SeatInfo } from "trtc-room-callbacks";
import { RoomStore, type RoomView } from "./state";

const ROOM = "room-1";

const create = (
  time: number | undefined,
  info: Partial<RoomInfo> = {},
  invitees?: string[],
): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterCreateRoom",
  RoomInfo: { RoomId: ROOM, ...info },
  ...(invitees && { ScheduleInviteeList_Account: invitees }),
  ...(time !== undefined && { EventTime: time }),
});
const update = (time: number | undefined, info: Partial<RoomInfo>): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterUpdateRoomInfo",
  RoomInfo: { RoomId: ROOM, ...info },
  ...(time !== undefined && { EventTime: time }),
});
const enter = (time: number | undefined, ...members: string[]): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterMemberEnter",
  RoomId: ROOM,
  MemberList_Account: members,
  ...(time !== undefined && { EventTime: time }),
});
const leave = (time: number | undefined, ...members: string[]): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterMemberLeave",
  RoomId: ROOM,
  Type: "Leave",
  MemberList_Account: members,
  ...(time !== undefined && { EventTime: time }),
});
const seats = (time: number | undefined, ...list: SeatInfo[]): CallbackEvent => ({
  CallbackCommand: "Mic.CallbackAfterSeatInfoChanged",
  RoomId: ROOM,
  SeatList: list,
  ...(time !== undefined && { EventTime: time }),
});
const destroy = (time: number | undefined): CallbackEvent => ({
  CallbackCommand: "Room.CallbackAfterDestroyRoom",
  RoomId: ROOM,
  ...(time !== undefined && { EventTime: time }),
});

function room(store: RoomStore): RoomView {
  const found = store.get(ROOM);
  if (!found) throw new Error(`${ROOM} does not exist`);
  return found;
}

function seatOf(store: RoomStore, index: number) {
  return room(store).seats.find((seat) => seat.index === index);
}

describe("RoomStore", () => {
  it("knows no rooms at first", () => {
    const store = new RoomStore();
    expect(store.list()).toEqual([]);
    expect(store.get(ROOM)).toBeUndefined();
  });

  it("creates a room with its settings and invitees, without repeats", () => {
    const store = new RoomStore();
    expect(store.apply(create(100, { RoomName: "Standup", MaxSeatCount: 4 }, ["bob", "carol", "bob"]))).toBe(
      "applied",
    );
    expect(room(store)).toEqual({
      roomId: ROOM,
      settings: { RoomName: "Standup", MaxSeatCount: 4 },
      invitees: ["bob", "carol"],
      members: [],
      seats: [],
      updatedAt: 100,
    });
  });

  it("keeps RoomInfo fields it does not know", () => {
    const store = new RoomStore();
    store.apply(create(100, { CoverURL: "https://example.com/c.png" } as Partial<RoomInfo>));
    expect(room(store).settings).toEqual({ CoverURL: "https://example.com/c.png" });
  });

  it("merges an update into the settings", () => {
    const store = new RoomStore();
    store.apply(create(100, { RoomName: "Standup", IsMessageDisabled: false }));
    store.apply(update(200, { IsMessageDisabled: true }));
    expect(room(store).settings).toEqual({ RoomName: "Standup", IsMessageDisabled: true });
    expect(room(store).updatedAt).toBe(200);
  });

  it("creates an unknown room lazily, for any event that names it", () => {
    const store = new RoomStore();
    store.apply(enter(100, "alice"));
    expect(room(store)).toMatchObject({ roomId: ROOM, settings: {}, members: ["alice"] });
    const other = new RoomStore();
    other.apply(seats(100, { Index: 0, Member_Account: "bob" }));
    expect(room(other).members).toEqual(["bob"]);
  });

  it("lists members in order of entry, a member who comes back at the end", () => {
    const store = new RoomStore();
    store.apply(enter(100, "alice", "bob"));
    store.apply(enter(110, "carol"));
    store.apply(leave(120, "alice"));
    expect(room(store).members).toEqual(["bob", "carol"]);
    store.apply(enter(130, "alice"));
    expect(room(store).members).toEqual(["bob", "carol", "alice"]);
  });

  it("seats members, moves a member who changes seats, and keeps seats sorted", () => {
    const store = new RoomStore();
    store.apply(enter(100, "alice", "bob"));
    store.apply(seats(110, { Index: 2, Member_Account: "bob" }, { Index: 1, Member_Account: "alice" }));
    expect(room(store).seats.map((seat) => [seat.index, seat.member])).toEqual([
      [1, "alice"],
      [2, "bob"],
    ]);
    store.apply(seats(120, { Index: 3, Member_Account: "alice" }));
    expect(room(store).seats.map((seat) => [seat.index, seat.member])).toEqual([
      [1, null],
      [2, "bob"],
      [3, "alice"],
    ]);
  });

  it("locks a seat and keeps flags a later seat event leaves out", () => {
    const store = new RoomStore();
    store.apply(seats(100, { Index: 0, IsTakenDisabled: true, IsAudioDisabled: true }));
    expect(seatOf(store, 0)).toEqual({
      index: 0,
      member: null,
      locked: true,
      videoDisabled: false,
      audioDisabled: true,
    });
    store.apply(seats(110, { Index: 0, IsAudioDisabled: false }));
    expect(seatOf(store, 0)).toMatchObject({ locked: true, audioDisabled: false });
  });

  it("ignores a seat without an Index", () => {
    const store = new RoomStore();
    expect(store.apply(seats(100, { Member_Account: "alice" }))).toBe("stale");
    expect(store.get(ROOM)).toBeUndefined();
  });

  it.each(["Leave", "Kicked", "Expired"])(
    "a leave of type %s removes the member and frees their seat",
    (type) => {
      const store = new RoomStore();
      store.apply(enter(100, "alice", "bob"));
      store.apply(seats(110, { Index: 0, Member_Account: "alice", IsTakenDisabled: false }));
      store.apply({ ...leave(120, "alice"), Type: type } as CallbackEvent);
      expect(room(store).members).toEqual(["bob"]);
      expect(seatOf(store, 0)).toMatchObject({ member: null, locked: false });
    },
  );

  it("removes a destroyed room", () => {
    const store = new RoomStore();
    store.apply(create(100, { RoomName: "Standup" }));
    store.apply(enter(110, "alice"));
    expect(store.apply(destroy(200))).toBe("applied");
    expect(store.get(ROOM)).toBeUndefined();
    expect(store.list()).toEqual([]);
  });

  it("starts afresh when a destroyed room's ID is used again later", () => {
    const store = new RoomStore();
    store.apply(create(100, { RoomName: "Monday" }));
    store.apply(enter(110, "alice"));
    store.apply(destroy(200));
    store.apply(create(300, { RoomName: "Tuesday" }));
    expect(room(store)).toMatchObject({ settings: { RoomName: "Tuesday" }, members: [] });
  });

  describe("out of order", () => {
    it("does not let an older update overwrite a newer setting", () => {
      const store = new RoomStore();
      store.apply(update(200, { RoomName: "new", CustomInfo: "x" }));
      expect(store.apply(update(150, { RoomName: "old" }))).toBe("stale");
      expect(room(store).settings).toEqual({ RoomName: "new", CustomInfo: "x" });
      // A late create fills in only what nothing newer has set.
      expect(store.apply(create(100, { RoomName: "first", MaxSeatCount: 8 }))).toBe("applied");
      expect(room(store).settings).toEqual({ RoomName: "new", CustomInfo: "x", MaxSeatCount: 8 });
      expect(room(store).updatedAt).toBe(200);
    });

    it("does not let a late enter undo a newer leave, nor a late leave a newer enter", () => {
      const store = new RoomStore();
      store.apply(leave(200, "alice"));
      expect(store.apply(enter(100, "alice"))).toBe("stale");
      expect(room(store).members).toEqual([]);
      store.apply(enter(300, "bob"));
      expect(store.apply(leave(250, "bob"))).toBe("stale");
      expect(room(store).members).toEqual(["bob"]);
    });

    it("applies the newer part of an event whose other part is stale", () => {
      const store = new RoomStore();
      store.apply(leave(200, "alice"));
      expect(store.apply(enter(150, "alice", "bob"))).toBe("applied");
      expect(room(store).members).toEqual(["bob"]);
    });

    it("does not let an older seat event overwrite a newer one, nor free a seat taken after the leave", () => {
      const store = new RoomStore();
      store.apply(seats(200, { Index: 0, Member_Account: "bob" }));
      expect(store.apply(seats(100, { Index: 0, Member_Account: "alice" }))).toBe("stale");
      expect(seatOf(store, 0)?.member).toBe("bob");
      // bob's leave at 150 is older than his taking the seat at 200.
      store.apply(leave(150, "bob"));
      expect(seatOf(store, 0)?.member).toBe("bob");
    });

    it("ignores events older than the room's destroy, and keeps what is newer", () => {
      const store = new RoomStore();
      store.apply(create(100, { RoomName: "Monday" }));
      store.apply(enter(300, "carol"));
      store.apply(destroy(200));
      // carol entered the room after the destroy: the ID was reused.
      expect(room(store)).toMatchObject({ settings: {}, members: ["carol"] });
      expect(store.apply(enter(150, "alice"))).toBe("stale");
      expect(store.apply(update(190, { RoomName: "late" }))).toBe("stale");
      expect(room(store).members).toEqual(["carol"]);
    });

    it("keeps a destroyed room destroyed when its older events arrive after the destroy", () => {
      const store = new RoomStore();
      store.apply(destroy(200));
      expect(store.apply(create(100, { RoomName: "late" }))).toBe("stale");
      expect(store.apply(enter(150, "alice"))).toBe("stale");
      expect(store.get(ROOM)).toBeUndefined();
      expect(store.apply(destroy(100))).toBe("stale");
    });

    it("applies events with the same EventTime in arrival order", () => {
      const store = new RoomStore();
      store.apply(enter(100, "alice"));
      store.apply(leave(100, "alice"));
      expect(room(store).members).toEqual([]);
    });
  });

  describe("replays", () => {
    it("recognises a replayed event and changes nothing", () => {
      const store = new RoomStore();
      const entered = enter(100, "alice");
      store.apply(entered);
      store.apply(leave(100, "alice"));
      // Without replay detection the tie rule would let this re-enter alice.
      expect(store.apply({ ...entered })).toBe("duplicate");
      expect(room(store).members).toEqual([]);
      expect(store.stats).toEqual({ applied: 2, stale: 0, duplicate: 1 });
    });

    it("does not treat untimed events with equal content as replays: they apply in arrival order", () => {
      const store = new RoomStore();
      expect(store.apply(enter(undefined, "alice"))).toBe("applied");
      expect(store.apply(leave(undefined, "alice"))).toBe("applied");
      expect(store.apply(enter(undefined, "alice"))).toBe("applied");
      expect(room(store)).toMatchObject({ members: ["alice"], updatedAt: null });
    });

    it("places an untimed event at the room's latest time", () => {
      const store = new RoomStore();
      store.apply(enter(100, "alice"));
      store.apply(leave(undefined, "alice"));
      expect(room(store).members).toEqual([]);
      expect(room(store).updatedAt).toBe(100);
    });

    it("forgets the oldest events beyond its replay memory", () => {
      const store = new RoomStore({ replayMemory: 2 });
      const first = enter(100, "alice");
      store.apply(first);
      store.apply(enter(101, "bob"));
      expect(store.apply({ ...first })).toBe("duplicate");
      store.apply(enter(102, "carol"));
      // first has been forgotten: it is judged by time alone, and still changes nothing.
      expect(store.apply({ ...first })).toBe("applied");
      expect(room(store).members).toEqual(["alice", "bob", "carol"]);
    });
  });

  it("never seats someone who is not a member", () => {
    const store = new RoomStore();
    const events = [
      enter(100, "alice", "bob"),
      seats(110, { Index: 0, Member_Account: "alice" }, { Index: 1, Member_Account: "bob" }),
      leave(105, "bob"),
      leave(120, "alice"),
      seats(115, { Index: 2, Member_Account: "carol" }),
      leave(130, "carol"),
    ];
    for (const event of events) {
      store.apply(event);
      const { members, seats: list } = room(store);
      for (const seat of list) if (seat.member !== null) expect(members).toContain(seat.member);
    }
    expect(room(store)).toMatchObject({ members: ["bob"] });
  });
});
