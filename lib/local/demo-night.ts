/** A newcomer's first minute with the local runner: the pool is drained and put to sleep, then woken again. */
import type { PoolOpsDeps } from '../ops/index.ts';
import { requestPoolSleep } from '../ops/index.ts';
import { requestPoolWake } from '../ops/index.ts';

export interface DemoNightDeps {
  ops: PoolOpsDeps;
  poolId: string;
  /** Run an operation in the background. */
  launch(operationId: string): Promise<void>;
  /** Resolves when every operation started so far has finished or stopped. */
  idle(): Promise<void>;
  stopping(): boolean;
  log(line: string): void;
}

/** Sleep the pool `afterMs` from now, wake it 15 s after it sleeps; cancel() stops what has not begun. */
export function scheduleDemoNight(d: DemoNightDeps, afterMs: number): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const { ops, poolId, log } = d;
  const demo = async (): Promise<void> => {
    const who = { actor: 'demo', source: 'cli' as const, reason: 'demo night (npm start)' };
    const s = await requestPoolSleep(ops, { ...who, poolId, idempotencyKey: `demo-sleep-${Date.now()}` });
    if (!s.operationId) return log(`demo: nothing can sleep (${s.plan.why ?? 'every host is needed'})`);
    log(`demo: sleeping ${s.plan.sleep.join(', ')}; ${s.plan.migrations.length} VMs move; kept on: ${s.plan.keep.map((k) => `${k.hostId} (${k.reason})`).join(', ')}`);
    await d.launch(s.operationId);
    await d.idle();
    if (d.stopping()) return;
    log(`demo: the pool sleeps; waking it in 15 s (curl /v1/pools/${poolId}/energy meanwhile)`);
    await new Promise<void>((r) => (timer = setTimeout(r, 15_000)));
    if (d.stopping()) return;
    const w = await requestPoolWake(ops, { ...who, poolId, idempotencyKey: `demo-wake-${Date.now()}` });
    if (w.operationId) await d.launch(w.operationId);
  };
  timer = setTimeout(() => void demo().catch((e: unknown) => log(`demo: ${e instanceof Error ? e.message : String(e)}`)), afterMs);
  return {
    cancel() {
      if (timer) clearTimeout(timer);
    },
  };
}
