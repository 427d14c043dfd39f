import { Deadline } from "../lib/core/deadline";

describe("Deadline", () => {
  it("calls a listener set after it passed at once, so a phase that starts late still ends", async () => {
    const deadline = new Deadline(5);
    // The timer fires while nobody listens (between two phases, or while a signature was hashed).
    await new Promise((resolve) => setTimeout(resolve, 30));
    const listener = jest.fn();
    deadline.onExpire(listener);
    expect(listener).toHaveBeenCalledTimes(1);
    deadline.clear();
  });

  it("counts as passed by the clock while the event loop was blocked, before its timer could fire", () => {
    const deadline = new Deadline(10);
    const end = Date.now() + 30;
    while (Date.now() < end) {
      // blocked
    }
    const listener = jest.fn();
    deadline.onExpire(listener);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(deadline.signal.aborted).toBe(true);
    deadline.clear();
  });

  it("keeps a listener set in time until the deadline passes, then calls it once", async () => {
    const deadline = new Deadline(20);
    const listener = jest.fn();
    deadline.onExpire(listener);
    expect(listener).not.toHaveBeenCalled();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(listener).toHaveBeenCalledTimes(1);
    deadline.clear();
  });
});
