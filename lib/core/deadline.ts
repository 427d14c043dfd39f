/**
 * One timer per request, started when the request reaches the router: it
 * bounds reading the body and running the handler together, because
 * Tencent's 2-second budget covers both.
 */
export class Deadline {
  #timer: NodeJS.Timeout;
  #controller: AbortController | undefined;
  #listener: (() => void) | undefined;
  #expired = false;

  constructor(readonly ms: number) {
    this.#timer = setTimeout(() => this.#expire(), ms);
    // A pending deadline must not keep a closing server's process alive.
    this.#timer.unref();
  }

  /** Whether the deadline has passed. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Aborted when the deadline passes. Created on first use: most handlers never look. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#expired && !this.#controller.signal.aborted) this.#controller.abort(this.#reason());
    return this.#controller.signal;
  }

  /** Sets what to do when the deadline passes, replacing the previous listener (one phase at a time). */
  onExpire(listener: (() => void) | undefined): void {
    this.#listener = listener;
  }

  /** Stops the timer; the request is answered. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#listener = undefined;
  }

  #expire(): void {
    this.#expired = true;
    this.#controller?.abort(this.#reason());
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }

  #reason(): Error {
    const reason = new Error(`the callback deadline of ${this.ms} ms passed`);
    reason.name = "TimeoutError";
    return reason;
  }
}
