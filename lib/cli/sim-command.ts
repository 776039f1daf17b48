/**
 * `lowpower sim`: N simulated BMCs on 127.0.0.1 in one process, and the inventory file that
 * `lowpower fleet` and the local runner read. Runs until stopped (Ctrl-C).
 */
import { startMixedFleet, type FleetProtocol } from '../sim/index.ts';
import type { Faults } from '../sim/index.ts';
import { describeFaults } from '../sim/index.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';

export const SIM_USAGE = `usage: lowpower sim --count N [--protocol ipmi|redfish|mixed] [--base-port P] [--seed S]
                    [--inventory FILE] [--realistic] [--drop RATE] [--delay MS] [--busy RATE]

Starts N simulated BMCs on 127.0.0.1, ports P, P+1, ... (default 16230), writes an inventory
(default ./lowpower-sim.json) with a password file beside it (mode 0600; user "admin"), and runs
until stopped. --protocol: IPMI over UDP (default), Redfish over HTTPS (a self-signed
certificate; the inventory carries each BMC's url and certificate fingerprint), or mixed (every
second BMC on Redfish). --realistic uses real-world delays (POST 20 s, soft-off 5 s).
Faults: --drop (IPMI packets lost each way), --delay (every answer late), --busy (IPMI answers
"node busy", Redfish answers 503).
`;

const FLAGS: FlagSpec[] = [
  { names: ['--count', '-n'], value: true, key: 'count' },
  { names: ['--protocol'], value: true, key: 'protocol' },
  { names: ['--base-port'], value: true, key: 'basePort' },
  { names: ['--seed'], value: true, key: 'seed' },
  { names: ['--inventory'], value: true, key: 'inventory' },
  { names: ['--realistic'], key: 'realistic' },
  { names: ['--drop'], value: true, key: 'drop' },
  { names: ['--delay'], value: true, key: 'delay' },
  { names: ['--busy'], value: true, key: 'busy' },
  { names: ['-h', '--help'], key: 'help' },
];

function rate(v: string | boolean | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${name} must be a number from 0 to 1`);
  return n;
}

export async function runSimCommand(argv: string[]): Promise<number> {
  if (argv[0] === 'fault') return (await import('./sim-fault-command.ts')).runSimFaultCommand(argv.slice(1));
  if (argv[0] === 'load') return (await import('./sim-load-command.ts')).runSimLoadCommand(argv.slice(1));
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(SIM_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const count = intFlag(flags.count, '--count', 1, 5000);
    if (count === undefined) throw new UsageError('give --count N');
    const faults: Faults = { drop: rate(flags.drop, '--drop'), busy: rate(flags.busy, '--busy'), delayMs: intFlag(flags.delay, '--delay', 0, 60_000) };
    const protocol = flags.protocol ?? 'ipmi';
    if (protocol !== 'ipmi' && protocol !== 'redfish' && protocol !== 'mixed') throw new UsageError('--protocol must be ipmi, redfish or mixed');
    const fleet = await startMixedFleet({
      count,
      protocol: protocol as FleetProtocol,
      basePort: intFlag(flags.basePort, '--base-port', 1024, 65535) ?? 16230,
      seed: intFlag(flags.seed, '--seed', 0, 2 ** 31) ?? 1,
      timings: flags.realistic ? 'realistic' : 'fast',
      faults: { drop: faults.drop, delayMs: faults.delayMs, busy: faults.busy },
    });
    const { inventory, passwordFile } = fleet.writeInventory(typeof flags.inventory === 'string' ? flags.inventory : 'lowpower-sim.json');
    const first = fleet.bmcs[0].port;
    process.stdout.write(
      `lowpower sim: ${count} BMC${count === 1 ? '' : 's'} on 127.0.0.1:${first}${count > 1 ? `-${first + count - 1}` : ''} (${describeProtocols(fleet.bmcs)}; faults: ${describeFaults(faults)})\n` +
        `inventory: ${inventory}\npassword file: ${passwordFile} (user admin)\n` +
        `try: ${tryBmc(fleet.bmcs[0], passwordFile)}\n` +
        `     lowpower fleet status --inventory ${inventory}\nCtrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await fleet.stop();
    return 0;
  } catch (e) {
    process.stderr.write(`lowpower sim: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

function describeProtocols(bmcs: ReadonlyArray<{ protocol: string }>): string {
  const ipmi = bmcs.filter((b) => b.protocol === 'ipmi').length;
  const redfish = bmcs.length - ipmi;
  return [ipmi ? `${ipmi} IPMI over UDP` : '', redfish ? `${redfish} Redfish over HTTPS` : ''].filter(Boolean).join(', ');
}

function tryBmc(b: { protocol: string; port: number; url?: string }, passwordFile: string): string {
  return b.protocol === 'redfish' && b.url
    ? `lowpower bmc sensors --protocol redfish -H ${b.url} -U admin -f ${passwordFile}`
    : `lowpower bmc sensors -H 127.0.0.1 -p ${b.port} -U admin -f ${passwordFile}`;
}
