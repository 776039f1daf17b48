/**
 * `lowpower sim fault NAME on|off [--host ID]` and `lowpower sim fault list`: the local runner's
 * fault control (`/v1/sim/faults`), for watching lowpower handle trouble. A client of the API.
 */
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import { table } from './format.ts';
import { FAULT_NAMES } from '../local/sim-faults.ts';

export const SIM_FAULT_USAGE = `usage: lowpower sim fault NAME on|off [--host ID] [--url URL] [--json]
       lowpower sim fault list [--url URL] [--json]

Switches a fault of the local runner's simulators on or off, pool-wide or for one host:
  ${FAULT_NAMES.join(', ')}
(the local runner only; admin role).
`;

const FLAGS: FlagSpec[] = [
  { names: ['--url'], value: true, key: 'url' },
  { names: ['--host', '-H'], value: true, key: 'host' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

interface Entry {
  fault: string;
  host: string | null;
  hits?: number;
}

export async function runSimFaultCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(SIM_FAULT_USAGE);
      return 0;
    }
    const base = String(flags.url ?? process.env.LOWPOWER_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
    const [name, state] = positional;
    let body: unknown;
    if (name === 'list' || name === undefined) body = undefined;
    else {
      if (!(FAULT_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown fault '${name}': one of ${FAULT_NAMES.join(', ')}`);
      if (state !== 'on' && state !== 'off') throw new UsageError(`say on or off after ${name}`);
      body = { fault: name, on: state === 'on', ...(typeof flags.host === 'string' ? { host: flags.host } : {}) };
    }
    const token = process.env.LOWPOWER_TOKEN;
    let res: Response;
    try {
      res = await fetch(`${base}/v1/sim/faults`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', 'x-actor': `cli:${process.env.USER ?? 'unknown'}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new Error(`cannot reach the local runner at ${base} (is "npm start" running? --url sets another)`);
    }
    const json = (await res.json().catch(() => ({}))) as { faults?: Entry[]; error?: { message?: string } };
    if (!res.ok) throw new Error(`${res.status} ${json.error?.message ?? res.statusText}${res.status === 404 ? ' (only the local runner has simulator faults)' : ''}`);
    const faults = json.faults ?? [];
    if (flags.json) process.stdout.write(`${JSON.stringify({ faults })}\n`);
    else process.stdout.write(faults.length ? `${table([['fault', 'host', 'hits'], ...faults.map((f) => [f.fault, f.host ?? '(every host)', String(f.hits ?? '')])])}\n` : 'no fault is on\n');
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower sim fault: ${e instanceof Error ? e.message : String(e)}\n`);
    if (e instanceof UsageError) process.stderr.write(SIM_FAULT_USAGE);
    return e instanceof UsageError ? 2 : 1;
  }
}
