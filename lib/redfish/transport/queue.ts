/**
 * One request at a time to a BMC: many BMCs serve a single connection badly, some drop sessions
 * under parallel load. Work runs in the order it was queued; a failure does not block what follows.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.waiting;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => this.waiting--);
  }
}
