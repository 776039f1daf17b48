/**
 * `lowpower start` (npm start): the whole service on this machine, on embedded defaults.
 */
import { startLocalRunner } from '../local/runner.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';

const FLAGS: FlagSpec[] = [
  { names: ['--port'], value: true, key: 'port' },
  { names: ['--state-dir'], value: true, key: 'stateDir' },
  { names: ['--hosts'], value: true, key: 'hosts' },
  { names: ['--bmc-base-port'], value: true, key: 'bmcBasePort' },
  { names: ['-h', '--help'], key: 'help' },
];

export const START_USAGE = `usage: lowpower start [--port 8080] [--state-dir DIR] [--hosts 6] [--bmc-base-port 16230]
`;

export async function runStartCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(START_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const runner = await startLocalRunner({
      port: intFlag(flags.port, '--port', 0, 65535) ?? 8080,
      stateDir: typeof flags.stateDir === 'string' ? flags.stateDir : undefined,
      hosts: intFlag(flags.hosts, '--hosts', 1, 500),
      bmcBasePort: intFlag(flags.bmcBasePort, '--bmc-base-port', 1024, 65000),
    });
    const first = runner.fleet.bmcs[0].port;
    process.stdout.write(
      `lowpower local runner\n` +
        `  HTTP API       ${runner.url}/v1/hosts\n` +
        `  pool           ${runner.poolId}: ${runner.fleet.bmcs.length} simulated hosts, BMCs on 127.0.0.1:${first}-${first + runner.fleet.bmcs.length - 1}\n` +
        `  DynamoDB       embedded dynalite${flags.stateDir ? ` (state in ${flags.stateDir})` : ' (in a temporary folder)'}\n` +
        `  schedules      ${runner.scheduler.list().map((e) => e.schedule.name).join(', ') || 'none'}\n` +
        `try:\n  curl -s ${runner.url}/v1/hosts\n` +
        `  curl -s -X POST ${runner.url}/v1/hosts/${runner.fleet.bmcs[0].name}/power -d '{"action":"off","reason":"trying lowpower"}'\n` +
        `Ctrl-C stops.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write('stopping...\n');
    await runner.stop();
    return 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = code === 'EADDRINUSE' ? 'the port is in use: choose another with --port N (or --bmc-base-port N)' : e instanceof Error ? e.message : String(e);
    process.stderr.write(`lowpower start: ${msg}\n`);
    return 1;
  }
}
