/**
 * One timer per request, started when the request reaches the core: it
 * bounds reading the body and running the handler together, because
 * Tencent's 2-second budget covers both. Whether it has passed is read from
 * the clock, not only from the timer, so synchronous work that blocks the
 * event loop past it (a huge body, a blocking handler) still counts as late.
 */
export class Deadline {
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #end: number;
  #controller: AbortController | undefined;
  #listener: (() => void) | undefined;
  #expired = false;

  constructor(readonly ms: number) {
    this.#end = Date.now() + ms;
    this.#timer = setTimeout(() => this.expire(), ms);
    // A pending deadline must not keep a closing server's process alive (Node only; isolates have no unref).
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Whether the deadline has passed, by the clock, even if its timer has not fired yet. */
  get expired(): boolean {
    if (!this.#expired && Date.now() >= this.#end) this.expire();
    return this.#expired;
  }

  /** Aborted when the deadline passes. Created on first use: most handlers never look. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#expired && !this.#controller.signal.aborted) this.#controller.abort(this.#reason());
    return this.#controller.signal;
  }

  /**
   * Sets what to do when the deadline passes, replacing the previous listener
   * (one phase at a time). A deadline that has already passed (its timer fired
   * while nobody listened, or the clock says so) calls the listener at once.
   */
  onExpire(listener: (() => void) | undefined): void {
    if (listener !== undefined && this.expired) {
      listener();
      return;
    }
    this.#listener = listener;
  }

  /** Stops the timer; the request is answered. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#listener = undefined;
  }

  /**
   * Marks the deadline passed: first the listener (which answers FAIL and
   * reports it), then the abort of `signal`, so whatever a handler does on
   * the abort comes after the timeout in every report.
   */
  expire(): void {
    if (this.#expired) return;
    this.#expired = true;
    clearTimeout(this.#timer);
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
    this.#controller?.abort(this.#reason());
  }

  #reason(): Error {
    const reason = new Error(`the callback deadline of ${this.ms} ms passed`);
    reason.name = "TimeoutError";
    return reason;
  }
}
