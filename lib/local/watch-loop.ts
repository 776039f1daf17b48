/**
 * The local runner's night watch: a check every few seconds (10 s by default, where AWS checks
 * once a minute with the load poll), one at a time, its wake run like any operation and its alerts
 * sent to the channel.
 */
import { checkNightWatch, type Notifier, type PoolOpsDeps, type WatchCheck } from '../ops/index.ts';
import { errorField, type Log } from '../util/index.ts';

export interface WatchLoopOptions {
  ops: PoolOpsDeps;
  poolId: string;
  everyMs: number;
  spikeSeconds: number;
  launch(operationId: string): Promise<void>;
  notifier: Notifier;
  log: Log;
}

export interface WatchLoop {
  /** One check now (or the one under way). */
  check(): Promise<WatchCheck>;
  /** No more checks; resolves when the one under way (and the wake it launched) has been handed over. */
  stop(): Promise<void>;
}

export function startWatchLoop(o: WatchLoopOptions): WatchLoop {
  let running: Promise<WatchCheck> | undefined;
  let last = '';
  const check = (): Promise<WatchCheck> =>
    (running ??= (async () => {
      const c = await checkNightWatch(o.ops, o.poolId, { spikeSeconds: o.spikeSeconds, lookSeconds: o.everyMs / 1000 });
      if (c.state === 'woke') o.log('night-watch-wake', { pool: o.poolId, hosts: c.hostIds, operation: c.operationId, created: c.created, reason: c.why });
      // A changed reason only: a quiet night is not a line every few seconds.
      else if (c.state === 'watching' && c.why !== last) o.log('night-watch', { pool: o.poolId, state: c.state, why: c.why });
      last = c.why;
      if (c.operationId && c.created) await o.launch(c.operationId);
      if (c.notices.length) await o.notifier(c.notices);
      return c;
    })().finally(() => {
      running = undefined;
    }));
  const timer = setInterval(() => void check().catch((e: unknown) => o.log('night-watch-failed', { pool: o.poolId, error: errorField(e) })), o.everyMs);
  timer.unref?.();
  return {
    check,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
