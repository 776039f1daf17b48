/**
 * The steps a pool sleep or wake is made of, as the fault matrix expects them from the plan (the
 * same order requestPoolSleep and requestPoolWake write), and the step a case aims its fault at.
 */
import type { OperationStep } from '../store/index.ts';
import { POOL_STEPS, type ChaosCase } from './chaos-cases.ts';

export interface StepKey {
  name: string;
  hostId?: string;
  wave?: number;
}

export const keyOfStep = (s: Pick<OperationStep, 'name' | 'hostId' | 'detail'>): StepKey => ({ name: s.name, hostId: s.hostId, wave: typeof s.detail?.wave === 'number' ? s.detail.wave : undefined });
export const sameKey = (a: StepKey, b: StepKey): boolean => a.name === b.name && a.hostId === b.hostId && a.wave === b.wave;

export interface SleepPlanShape {
  sleep: string[];
  migrations: Array<{ from: string; to: string; wave: number }>;
}

/** The steps a sleep of this plan is made of, in order (as requestPoolSleep writes them). */
export function sleepLayout(plan: SleepPlanShape): StepKey[] {
  const out: StepKey[] = plan.sleep.map((h) => ({ name: 'disable', hostId: h }));
  for (const wave of [...new Set(plan.migrations.map((m) => m.wave))].sort((a, b) => a - b)) out.push({ name: 'migrate', wave });
  for (const h of plan.sleep) for (const name of ['verify-empty', 'shutdown', 'wait-down', 'settle']) out.push({ name, hostId: h });
  out.push({ name: 'release' });
  return out;
}

/** The steps a wake of these hosts is made of, in order (as requestPoolWake writes them with no host busy). */
export function wakeLayout(wake: string[], group: number): StepKey[] {
  const out: StepKey[] = [];
  for (let i = 0; i < wake.length; i += group) {
    if (i > 0) out.push({ name: 'stagger' });
    for (const h of wake.slice(i, i + group)) out.push({ name: 'power-on', hostId: h });
  }
  for (const h of wake) out.push({ name: 'wait-live', hostId: h }, { name: 'enable', hostId: h });
  out.push({ name: 'ready-check' }, { name: 'release' });
  return out;
}

/** The step of the layout the case aims at: the host's own, the first migration wave from the host, or the first of its name. */
export function chosenIndex(c: ChaosCase, layout: StepKey[], plan?: SleepPlanShape): number {
  if (c.step === 'migrate' && plan) {
    const waves = plan.migrations.filter((m) => m.from === c.host || m.to === c.host).map((m) => m.wave);
    const wave = waves.length ? Math.min(...waves) : undefined;
    const i = layout.findIndex((k) => k.name === 'migrate' && (wave === undefined || k.wave === wave));
    if (i >= 0) return i;
  }
  if (POOL_STEPS.has(c.step)) return layout.findIndex((k) => k.name === c.step);
  return layout.findIndex((k) => k.name === c.step && k.hostId === c.host);
}
