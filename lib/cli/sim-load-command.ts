/**
 * `lowpower sim load --vm ID|all --cpu N [--memory N]` and `lowpower sim load --reset`: the local
 * runner's load control (`POST /v1/sim/load`), to push the simulated pool's VMs for a demo or to
 * watch the night watch wake hosts. A client of the API.
 */
import { API_FLAGS, API_OPTIONS_USAGE, ApiCallError, apiClient, apiTarget } from './api-client.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';

export const SIM_LOAD_USAGE = `usage: lowpower sim load --vm ID|all --cpu N [--memory N] [--url URL] [--token-file FILE] [--json]
       lowpower sim load --reset [--url URL] [--token-file FILE] [--json]

Runs a simulated VM (by name or uuid) or every VM at N percent of each vCPU from now on (and its
guest at N percent of its memory), or sends every VM back to the day/night model
(the local runner only; admin role).

${API_OPTIONS_USAGE}
`;

const FLAGS: FlagSpec[] = [
  ...API_FLAGS,
  { names: ['--vm'], value: true, key: 'vm' },
  { names: ['--cpu'], value: true, key: 'cpu' },
  { names: ['--memory'], value: true, key: 'memory' },
  { names: ['--reset'], key: 'reset' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

function percentFlag(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 100)) throw new UsageError(`${name} must be a percentage from 0 to 100`);
  return n;
}

/** The request body the flags ask for; a usage error for a mix that means nothing. */
export function simLoadBody(flags: Record<string, unknown>): Record<string, unknown> {
  if (flags.reset) {
    if (flags.vm !== undefined || flags.cpu !== undefined || flags.memory !== undefined) throw new UsageError('--reset takes no --vm, --cpu or --memory');
    return { reset: true };
  }
  if (typeof flags.vm !== 'string' || flags.vm === '') throw new UsageError('say which VM: --vm NAME|UUID|all (or --reset)');
  if (flags.cpu === undefined) throw new UsageError('say the load: --cpu N');
  return { vm: flags.vm, cpuPercent: percentFlag(flags.cpu, '--cpu'), ...(flags.memory === undefined ? {} : { memoryPercent: percentFlag(flags.memory, '--memory') }) };
}

export async function runSimLoadCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(SIM_LOAD_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected ${positional[0]}`);
    const body = simLoadBody(flags);
    let json: { vms?: string[]; reset?: boolean };
    try {
      json = (await apiClient(apiTarget(flags)).call('POST', '/v1/sim/load', body)) as { vms?: string[]; reset?: boolean };
    } catch (e) {
      if (e instanceof ApiCallError && e.status === 404 && /route|not found/i.test(e.message)) throw new Error(`${e.message} (only the local runner has a simulated load)`);
      throw e;
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(json)}\n`);
    else if (json.reset) process.stdout.write('every VM follows the day/night model again\n');
    else process.stdout.write(`${(json.vms ?? []).length} VM${(json.vms ?? []).length === 1 ? '' : 's'} at ${String(body.cpuPercent)}% CPU${body.memoryPercent === undefined ? '' : `, ${String(body.memoryPercent)}% memory`}: ${(json.vms ?? []).join(', ')}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower sim load: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof UsageError) process.stderr.write(SIM_LOAD_USAGE);
    return e instanceof UsageError ? 2 : 1;
  }
}
