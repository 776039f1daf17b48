/**
 * Live refresh by polling: run a task now and then every `ms` after it finishes (never two at
 * once), slower while the tab is hidden; stop() ends it. `kick()` runs it again at once.
 */
export interface Poller {
  stop(): void;
  kick(): void;
}

export function poll(task: () => Promise<void>, ms: number): Poller {
  let timer: number | undefined;
  let stopped = false;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    window.clearTimeout(timer);
    try {
      await task();
    } catch {
      // The task shows its own errors; polling carries on.
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      void run();
      return;
    }
    timer = window.setTimeout(() => void run(), document.hidden ? Math.max(ms, 30_000) : ms);
  };
  const onVisible = (): void => {
    if (!document.hidden) void run();
  };
  document.addEventListener('visibilitychange', onVisible);
  void run();
  return {
    stop() {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    },
    kick() {
      void run();
    },
  };
}

/** A set of pollers and listeners a view owns, ended together when the view goes. */
export class Lifetime {
  private readonly ends: Array<() => void> = [];
  private done = false;

  get ended(): boolean {
    return this.done;
  }

  poll(task: () => Promise<void>, ms: number): Poller {
    const p = poll(async () => {
      if (!this.done) await task();
    }, ms);
    this.ends.push(() => p.stop());
    return p;
  }

  onEnd(f: () => void): void {
    this.ends.push(f);
  }

  end(): void {
    this.done = true;
    for (const f of this.ends.splice(0)) f();
  }
}
