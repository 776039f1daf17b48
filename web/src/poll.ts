/**
 * Live refresh by polling: run a task now and then every `ms` after it finishes (never two at
 * once), slower while the tab is hidden; stop() ends it. `kick()` runs it again at once. A task
 * that fails shows its own error and then throws: the poller asks again soon (see `pollDelay`),
 * so a passing failure clears itself in seconds rather than at the next slow poll.
 */
export interface Poller {
  stop(): void;
  kick(): void;
}

/** The first retry after a failure; each further failure in a row doubles it, up to the poll's interval. */
export const RETRY_FIRST_MS = 2_000;
/** A hidden tab is polled at most this often, failures or not. */
export const HIDDEN_MS = 30_000;

/**
 * The wait before the next run of a task polled every `ms`: `ms` after a success; after `failures`
 * failures in a row 2 s, 4 s, 8 s... but never longer than `ms` (nor shorter: a fast poll stays as
 * it is); at least 30 s while the tab is hidden.
 */
export function pollDelay(ms: number, failures: number, hidden: boolean): number {
  const base = failures > 0 ? Math.min(ms, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 20)) : ms;
  return hidden ? Math.max(base, HIDDEN_MS) : base;
}

export function poll(task: () => Promise<void>, ms: number): Poller {
  let timer: number | undefined;
  let stopped = false;
  let running = false;
  let again = false;
  let failures = 0;
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
      failures = 0;
    } catch {
      // The task has shown its own error; polling carries on, sooner.
      failures++;
    } finally {
      running = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      void run();
      return;
    }
    timer = window.setTimeout(() => void run(), pollDelay(ms, failures, document.hidden));
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

  /**
   * Run `task` until it succeeds once (a read that must come, such as a view's first one): a
   * failure is asked again as a poll's is (see `pollDelay`, at most every `ms`), a success ends it.
   */
  untilDone(task: () => Promise<void>, ms: number): Poller {
    const p: Poller = this.poll(async () => {
      await task();
      p.stop();
    }, ms);
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
