/**
 * Cooperative slicing of long synchronous loops (mapping a sync pass, free/busy over many series): each step
 * is bounded by the recurrence engine's work budget, and after ~20 ms of steps the loop yields to the event
 * loop, so /healthz and other requests are served while a request with many heavy series runs.
 */
const SLICE_MS = 20;

export class LoopSlice {
  private started = performance.now();

  /** Yields (setImmediate) when the current slice is used up. */
  async pause(): Promise<void> {
    if (performance.now() - this.started <= SLICE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}
