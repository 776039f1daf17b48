/**
 * `lowpower sim`: N simulated BMCs on 127.0.0.1 in one process, and the inventory file that
 * `lowpower fleet` and the local runner read. Runs until stopped (Ctrl-C).
 */
import { startSimFleet } from '../sim/ipmi/fleet.ts';
import type { Faults } from '../sim/ipmi/faults.ts';
import { describeFaults } from '../sim/ipmi/faults.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';

export const SIM_USAGE = `usage: lowpower sim --count N [--base-port P] [--seed S] [--inventory FILE]
                    [--realistic] [--drop RATE] [--delay MS] [--busy RATE]

Starts N simulated BMCs on 127.0.0.1, ports P, P+1, ... (default 16230), writes an inventory
(default ./lowpower-sim.json) with a password file beside it (mode 0600; user "admin"), and runs
until stopped. --realistic uses real-world delays (POST 20 s, soft-off 5 s) instead of fast ones.
`;

const FLAGS: FlagSpec[] = [
  { names: ['--count', '-n'], value: true, key: 'count' },
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
    const fleet = await startSimFleet({
      count,
      basePort: intFlag(flags.basePort, '--base-port', 1024, 65535) ?? 16230,
      seed: intFlag(flags.seed, '--seed', 0, 2 ** 31) ?? 1,
      timings: flags.realistic ? 'realistic' : 'fast',
      faults,
    });
    const { inventory, passwordFile } = fleet.writeInventory(typeof flags.inventory === 'string' ? flags.inventory : 'lowpower-sim.json');
    const first = fleet.bmcs[0].port;
    process.stdout.write(
      `lowpower sim: ${count} BMC${count === 1 ? '' : 's'} on 127.0.0.1:${first}${count > 1 ? `-${first + count - 1}` : ''} (faults: ${describeFaults(faults)})\n` +
        `inventory: ${inventory}\npassword file: ${passwordFile} (user admin)\n` +
        `try: lowpower bmc sensors -H 127.0.0.1 -p ${first} -U admin -f ${passwordFile}\n` +
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
