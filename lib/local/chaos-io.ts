/**
 * The fault matrix's I/O with a case's runner: one started on fresh loopback ports, its HTTP API
 * as a user drives it, an operation waited for, and a limit on anything that could hang.
 */
import { startLocalRunner, type LocalRunner } from './runner.ts';
import { noticeText } from '../ops/index.ts';
import type { OperationWithSteps } from '../store/index.ts';
import { retry } from '../util/index.ts';

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
export const SAMPLE_EVERY_MS = 20;

export type Http = (method: string, path: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

export const httpOf =
  (runner: LocalRunner): Http =>
  async (method, path, body) => {
    const res = await fetch(`${runner.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  };

export const operationIdOf = (json: Record<string, unknown>): string | undefined => {
  const op = json.operation as { id?: unknown } | null | undefined;
  return typeof op?.id === 'string' ? op.id : undefined;
};

/** A runner on loopback with fresh ports (a taken BMC port range is tried again elsewhere, six tries in all). */
export function freshRunner(o: { operationLeaseMs?: number; sweepEveryMs?: number; migrateMsPerGiB?: number }, log: (line: string) => void): Promise<LocalRunner> {
  return retry(
    () =>
      startLocalRunner({
        port: 0,
        // Below the ephemeral range (32768-60999), where client sockets could take a BMC's port.
        bmcBasePort: 10_000 + Math.floor(Math.random() * 22_000),
        log,
        sampleSchedule: false,
        notifier: async (notices) => {
          for (const n of notices) log(`channel: ${noticeText(n)}`);
        },
        operationLeaseMs: o.operationLeaseMs ?? 1500,
        sweepEveryMs: o.sweepEveryMs ?? 500,
        migrateMsPerGiB: o.migrateMsPerGiB ?? 2,
      }),
    { attempts: 6, retryOn: (e) => /in use/.test(e instanceof Error ? e.message : String(e)), exhausted: (last) => (last instanceof Error ? last : new Error(String(last))) },
  );
}

export async function waitFinished(r: LocalRunner, operationId: string, until: number): Promise<OperationWithSteps | undefined> {
  for (;;) {
    const op = await r.store.getOperation(operationId);
    if (op && FINISHED.has(op.state)) return op;
    if (Date.now() > until) return undefined;
    await pause(SAMPLE_EVERY_MS);
  }
}

export async function withLimit<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
