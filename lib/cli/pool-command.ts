/**
 * `lowpower pool plan|sleep|wake|rebalance|show|energy|advice POOL`: a client of the HTTP API (the
 * local runner's by default). sleep, wake and rebalance follow the operation and print each host's
 * (or VM's) result; --dry-run prints the plan only. Exit 0 when the work succeeded, 1 otherwise,
 * with one line on stderr.
 */
import { API_FLAGS, API_OPTIONS_USAGE, apiClient, apiTarget } from './api-client.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import { table } from './format.ts';
import { formatAdvice, formatEnergy } from './advice-format.ts';
import type { AdviceAnswer, EnergyReport } from '../api/index.ts';

export const POOL_USAGE = `usage: lowpower pool VERB POOL [options]

verbs:
  show POOL                  hosts, their state and their VMs
  plan POOL                  the night's plan: who sleeps, which VMs move, who stays on and why
  sleep POOL -r REASON       empty and power off the hosts the plan allows
  wake POOL -r REASON        power the sleeping hosts on and enable them
  rebalance POOL -r REASON --mode restore|balance
                             spread the VMs: back to their hosts before the last sleep, or
                             evening out the measured CPU and memory
  energy POOL [--days N]     kWh saved per night (money and CO2 where the pool has a price and an intensity)
  advice POOL [--days N]     when to sleep, from the stored load of the last N days (default 14):
                             hosts that can sleep per hour of the week, the window, its savings
  import POOL ...            onboard a pool from XAPI and a BMC range (lowpower pool import --help)

options:
${API_OPTIONS_USAGE}
  -r, --reason R   why (required for sleep, wake and rebalance; recorded in the audit log)
  --mode M         rebalance: restore or balance
  --dry-run        sleep/wake/rebalance: show the plan, change nothing
  --no-wait        sleep/wake/rebalance: print the operation id and return at once
  --json           JSON output
`;

const FLAGS: FlagSpec[] = [
  ...API_FLAGS,
  { names: ['-r', '--reason'], value: true, key: 'reason' },
  { names: ['--days'], value: true, key: 'days' },
  { names: ['--mode'], value: true, key: 'mode' },
  { names: ['--dry-run'], key: 'dryRun' },
  { names: ['--no-wait'], key: 'noWait' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

interface Plan {
  sleep: string[];
  migrations: Array<{ vmId: string; from: string; to: string; memoryBytes: number; wave: number }>;
  keep: Array<{ hostId: string; reason: string }>;
  hostsOn: number;
  lowerBound: number;
  why?: string;
  demand?: { vms: number; of: number; nights: number; lookedBack: number; night: { start: string; end: string; timeZone: string; from: string }; error?: string };
}

const GiB = 1024 ** 3;

type Call = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

export function formatPlan(p: Plan): string {
  const out: string[] = [];
  out.push(p.sleep.length ? `sleep: ${p.sleep.join(', ')}` : `nothing can sleep${p.why ? `: ${p.why}` : ''}`);
  out.push(`hosts on after the plan: ${p.hostsOn} (lower bound ${p.lowerBound})`);
  const d = p.demand;
  if (d) out.push(d.error ?? `CPU demand measured for ${d.vms} of ${d.of} VMs, from up to ${d.nights} of the last ${d.lookedBack} nights (${d.night.start}-${d.night.end} ${d.night.timeZone}, ${d.night.from === 'schedules' ? "the pool's schedules" : 'the default night'})${d.vms ? '' : ': the CPU ceiling is not applied'}`);
  if (p.migrations.length) {
    out.push(`migrations (${p.migrations.length}):`);
    out.push(table([['wave', 'vm', 'from', 'to', 'memory'], ...p.migrations.map((m) => [String(m.wave), m.vmId, m.from, m.to, `${(m.memoryBytes / GiB).toFixed(1)} GiB`])]));
  }
  if (p.keep.length) {
    out.push('kept on:');
    out.push(table([['host', 'why'], ...p.keep.map((k) => [k.hostId, k.reason])]));
  }
  return out.join('\n');
}

interface RebalancePlan {
  mode: string;
  moves: Array<{ vmId: string; from: string; to: string; wave: number }>;
  stays: Array<{ vmId?: string; hostId: string | null; why: string }>;
  why?: string;
}

export function formatRebalancePlan(p: RebalancePlan): string {
  const out: string[] = [p.moves.length ? `${p.mode}: ${p.moves.length} moves` : `nothing to ${p.mode}${p.why ? `: ${p.why}` : ''}`];
  if (p.moves.length) out.push(table([['wave', 'vm', 'from', 'to'], ...p.moves.map((m) => [String(m.wave), m.vmId, m.from, m.to])]));
  if (p.stays.length) out.push('stays:', table([['vm/host', 'why'], ...p.stays.map((x) => [x.vmId ?? x.hostId ?? '?', x.why])]));
  return out.join('\n');
}

async function follow(call: Call, id: string): Promise<Record<string, unknown>> {
  let seen = 0;
  for (;;) {
    const { operation } = (await call('GET', `/v1/operations/${id}`)) as { operation: Record<string, unknown> };
    const steps = (operation.steps as Array<{ name: string; hostId?: string; state: string; error?: string }>) ?? [];
    const finished = steps.filter((s) => s.state !== 'pending' && s.state !== 'running');
    for (const s of finished.slice(seen)) process.stderr.write(`  ${s.name}${s.hostId ? ` ${s.hostId}` : ''}: ${s.state}${s.error ? ` (${s.error})` : ''}\n`);
    seen = Math.max(seen, finished.length);
    if (operation.state === 'succeeded' || operation.state === 'failed') return operation;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runPoolCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'import') return (await import('./pool-import-command.ts')).runPoolImportCommand(argv.slice(1));
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    const [verb, pool] = positional;
    if (flags.help || !verb) {
      process.stdout.write(POOL_USAGE);
      return flags.help ? 0 : 1;
    }
    if (!pool) throw new UsageError(`pool ${verb}: name the pool`);
    const { call } = apiClient(apiTarget(flags));
    const json = flags.json === true;
    const print = (v: unknown, text: () => string): void => void process.stdout.write(`${json ? JSON.stringify(v, null, 2) : text()}\n`);
    const p = encodeURIComponent(pool);
    switch (verb) {
      case 'show': {
        const r = await call('GET', `/v1/pools/${p}`);
        const hosts = r.hosts as Array<{ id: string; power?: string; live: boolean; enabled: boolean; isMaster: boolean; sleepState: string; vms: Array<{ id: string }> }>;
        print(r, () => table([['host', 'power', 'xapi', 'sleep', 'VMs'], ...hosts.map((h) => [h.id + (h.isMaster ? ' (master)' : ''), h.power ?? '?', h.live ? (h.enabled ? 'enabled' : 'disabled') : 'not live', h.sleepState, h.vms.map((v) => v.id).join(' ') || '-'])]));
        return 0;
      }
      case 'plan': {
        const r = await call('GET', `/v1/pools/${p}/plan`);
        print(r, () => formatPlan(r.plan as Plan));
        return 0;
      }
      case 'energy': {
        const r = await call('GET', `/v1/pools/${p}/energy${flags.days ? `?days=${encodeURIComponent(String(flags.days))}` : ''}`);
        print(r, () => formatEnergy(r as unknown as EnergyReport));
        return 0;
      }
      case 'advice': {
        const r = await call('GET', `/v1/pools/${p}/advice${flags.days ? `?days=${encodeURIComponent(String(flags.days))}` : ''}`);
        print(r, () => formatAdvice(r as unknown as AdviceAnswer));
        return 0;
      }
      case 'sleep':
      case 'wake': {
        if (typeof flags.reason !== 'string' || !flags.reason.trim()) throw new UsageError(`pool ${verb}: give a reason with -r`);
        const r = await call('POST', `/v1/pools/${p}/${verb}`, { reason: flags.reason, dryRun: flags.dryRun === true });
        if (flags.dryRun || !r.operation) {
          print(r, () => (verb === 'sleep' ? formatPlan(r.plan as Plan) : `would wake: ${((r.plan as { wake: string[] }).wake ?? []).join(', ') || 'nothing'}`));
          return 0;
        }
        const id = (r.operation as { id: string }).id;
        if (flags.noWait) {
          print(r, () => `operation ${id}`);
          return 0;
        }
        process.stderr.write(`operation ${id}\n`);
        const op = await follow(call, id);
        const hosts = ((op.result as { hosts?: Array<{ hostId: string; result: string; detail: string }> })?.hosts ?? []);
        print(op, () => `${table([['host', 'result', 'detail'], ...hosts.map((h) => [h.hostId, h.result, h.detail])])}\n${verb} ${String(op.state)}`);
        return op.state === 'succeeded' ? 0 : 1;
      }
      case 'rebalance': {
        if (typeof flags.reason !== 'string' || !flags.reason.trim()) throw new UsageError('pool rebalance: give a reason with -r');
        if (flags.mode !== 'restore' && flags.mode !== 'balance') throw new UsageError('pool rebalance: give --mode restore or --mode balance');
        const r = await call('POST', `/v1/pools/${p}/rebalance`, { reason: flags.reason, mode: flags.mode, dryRun: flags.dryRun === true });
        if (flags.dryRun || !r.operation) {
          print(r, () => formatRebalancePlan(r.plan as RebalancePlan));
          return 0;
        }
        const id = (r.operation as { id: string }).id;
        if (flags.noWait) {
          print(r, () => `operation ${id}`);
          return 0;
        }
        process.stderr.write(`operation ${id}\n`);
        const op = await follow(call, id);
        const res = (op.result ?? {}) as { moved?: Array<{ vmId: string; from: string; to: string }>; stayed?: Array<{ vmId?: string; hostId: string | null; why: string }> };
        const rows = [...(res.moved ?? []).map((m) => [m.vmId, 'moved', `${m.from} -> ${m.to}`]), ...(res.stayed ?? []).map((x) => [x.vmId ?? x.hostId ?? '?', 'stayed', x.why])];
        print(op, () => `${table([['vm/host', 'result', 'detail'], ...rows])}\nrebalance ${String(op.state)}`);
        return op.state === 'succeeded' ? 0 : 1;
      }
      default:
        throw new UsageError(`pool: unknown verb "${verb}"`);
    }
  } catch (e) {
    process.stderr.write(`lowpower pool: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
