/**
 * `lowpower sim fault NAME on|off [--host ID]` and `lowpower sim fault list`: the local runner's
 * fault control (`/v1/sim/faults`), for watching lowpower handle trouble. A client of the API.
 */
import { API_FLAGS, API_OPTIONS_USAGE, ApiCallError, apiClient, apiTarget } from './api-client.ts';
import { parseArgs, UsageError, type FlagSpec } from './args.ts';
import { table } from './format.ts';
import { FAULT_NAMES } from '../local/index.ts';

export const SIM_FAULT_USAGE = `usage: lowpower sim fault NAME on|off [--host ID] [--url URL] [--token-file FILE] [--json]
       lowpower sim fault list [--url URL] [--token-file FILE] [--json]

Switches a fault of the local runner's simulators on or off, pool-wide or for one host:
  ${FAULT_NAMES.join(', ')}
(the local runner only; admin role).

${API_OPTIONS_USAGE}
`;

const FLAGS: FlagSpec[] = [
  ...API_FLAGS,
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
    const api = apiClient(apiTarget(flags));
    const [name, state] = positional;
    let body: unknown;
    if (name === 'list' || name === undefined) body = undefined;
    else {
      if (!(FAULT_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown fault '${name}': one of ${FAULT_NAMES.join(', ')}`);
      if (state !== 'on' && state !== 'off') throw new UsageError(`say on or off after ${name}`);
      body = { fault: name, on: state === 'on', ...(typeof flags.host === 'string' ? { host: flags.host } : {}) };
    }
    let json: { faults?: Entry[] };
    try {
      json = (await api.call(body === undefined ? 'GET' : 'POST', '/v1/sim/faults', body)) as { faults?: Entry[] };
    } catch (e) {
      if (e instanceof ApiCallError && e.status === 404) throw new Error(`${e.message} (only the local runner has simulator faults)`);
      throw e;
    }
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
