/**
 * `lowpower start` (npm start): the whole service on this machine, on embedded defaults.
 */
import { startLocalRunner, type LocalRunner, type LocalRunnerOptions } from '../local/index.ts';
import type { FleetProtocol } from '../sim/index.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { importCommand } from './pool-import-command.ts';

const FLAGS: FlagSpec[] = [
  { names: ['--port'], value: true, key: 'port' },
  { names: ['--state-dir'], value: true, key: 'stateDir' },
  { names: ['--hosts'], value: true, key: 'hosts' },
  { names: ['--bmc-base-port'], value: true, key: 'bmcBasePort' },
  { names: ['--protocol'], value: true, key: 'protocol' },
  { names: ['--no-demo'], key: 'noDemo' },
  { names: ['--no-pool'], key: 'noPool' },
  { names: ['--no-load-history'], key: 'noLoadHistory' },
  { names: ['--require-keys'], key: 'requireKeys' },
  { names: ['--watch-every'], value: true, key: 'watchEvery' },
  { names: ['--spike-seconds'], value: true, key: 'spikeSeconds' },
  { names: ['-h', '--help'], key: 'help' },
];

export const START_USAGE = `usage: lowpower start [--port 8080] [--state-dir DIR] [--bmc-base-port 16230] [--protocol mixed]
                      [--no-demo] [--no-pool] [--no-load-history] [--require-keys] [--watch-every 10]
                      [--spike-seconds 20]

  --protocol       what the simulated BMCs speak: ipmi, redfish, or mixed (every second host on
                   Redfish over HTTPS; the default)
  --bmc-base-port  the first simulated BMC's port (host i on port + i); with --port and without it,
                   free ports are found
  --no-demo        do not put the pool to sleep and wake it again right after start
  --no-pool        run the simulators (the pool's XAPI and BMCs) with nothing in the store, to try
                   "lowpower pool import" (no schedules, no demo night); the command is printed
  --no-load-history  do not seed the store with 7 nights of simulated load (from the simulated
                   pool's day/night model); without it the first night plans without CPU demand
  --require-keys   refuse API requests without a key (keys in <state dir>/api-keys.json)
  --watch-every    seconds between the night watch's checks (default 10; 0: once a minute, with
                   the load poll)
  --spike-seconds  how long the awake hosts' CPU must stay above the ceiling before the watch
                   wakes hosts, where the pool's policy names none (default 20)
`;

export async function runStartCommand(argv: string[]): Promise<number> {
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(START_USAGE);
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const protocol = flags.protocol ?? 'mixed';
    if (protocol !== 'ipmi' && protocol !== 'redfish' && protocol !== 'mixed') throw new UsageError('--protocol must be ipmi, redfish or mixed');
    const options: LocalRunnerOptions = {
      port: intFlag(flags.port, '--port', 0, 65535) ?? 8080,
      stateDir: typeof flags.stateDir === 'string' ? flags.stateDir : undefined,
      hosts: intFlag(flags.hosts, '--hosts', 6, 6),
      bmcBasePort: intFlag(flags.bmcBasePort, '--bmc-base-port', 1024, 65000),
      protocol: protocol as FleetProtocol,
      demoAfterMs: flags.noDemo || flags.noPool ? undefined : 10_000,
      requireKeys: flags.requireKeys === true,
      noPool: flags.noPool === true,
      loadHistory: flags.noLoadHistory !== true,
      watchEveryMs: (intFlag(flags.watchEvery, '--watch-every', 0, 3600) ?? 10) * 1000,
      spikeSeconds: intFlag(flags.spikeSeconds, '--spike-seconds', 1, 3600) ?? 20,
    };
    // A second runner beside a first: with its own --port and no --bmc-base-port, find free BMC ports.
    const runner = flags.port !== undefined && flags.bmcBasePort === undefined ? await startOnFreeBmcPorts(options) : await startLocalRunner(options);
    const first = runner.fleet.bmcs[0].port;
    const speaks = (p: string) => runner.fleet.bmcs.filter((b) => b.protocol === p).length;
    const u = runner.url;
    const schedules = (await runner.schedules.list(runner.poolId)).map((x) => x.name).join(', ') || 'none';
    process.stdout.write(
      runner.noPool
        ? noPoolBanner(runner, flags.stateDir !== undefined)
        : `lowpower local runner\n` +
        `  dashboard      ${u}/   (read-only link: ${u}/#key=${runner.apiKeys.viewer})\n` +
        `  HTTP API       ${u}/v1/pools  (API keys per role in ${runner.stateDir}/api-keys.json)\n` +
        `  pool           ${runner.poolId}: ${runner.fleet.bmcs.length} simulated hosts, BMCs on 127.0.0.1:${first}-${first + runner.fleet.bmcs.length - 1} (${speaks('ipmi')} IPMI over UDP, ${speaks('redfish')} Redfish over HTTPS), XAPI at ${runner.xapi.url}\n` +
        `  DynamoDB       embedded dynalite${flags.stateDir ? ` (state in ${flags.stateDir})` : ' (in a temporary folder)'}\n` +
        `  schedules      ${schedules}\n` +
        loadHistoryLine(runner) +
        `  Slack          POST ${u}/slack/commands (signing secret ${process.env.SLACK_SIGNING_SECRET ? 'from $SLACK_SIGNING_SECRET' : runner.slackSigningSecret}; users in ${runner.stateDir}/slack-users.json)\n` +
        (flags.noDemo ? '' : `in 10 s a demo night starts: the pool is drained, powered off, then woken (--no-demo to skip)\n`) +
        `try:\n  curl -s ${u}/v1/pools/${runner.poolId}/plan\n` +
        `  curl -s -X POST ${u}/v1/pools/${runner.poolId}/sleep -d '{"reason":"trying lowpower"}'\n` +
        `  curl -s ${u}/v1/hosts/host-006/sensors\n` +
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
    process.stderr.write(`lowpower start: ${startFailure(e, argv)}\n`);
    return 1;
  }
}

/** The start output's line on the seeded load: simulated, never measured. */
function loadHistoryLine(runner: LocalRunner): string {
  const h = runner.loadHistory;
  if (!h) return `  load history   none (--no-load-history): the first night plans without CPU demand\n`;
  const n = h.night.night;
  if (h.skipped) return `  load history   kept: ${h.skipped}\n`;
  return `  load history   SIMULATED: ${h.written} host x 5-minute buckets of the last 7 nights (${n.start}-${n.end} ${n.timeZone}) from the simulated pool's load model, not measured\n`;
}

/**
 * Why the runner did not start, naming the flag that helps. The simulated XAPI always takes a free
 * port; the HTTP port and the BMC ports are the ones a second runner collides on, and --port alone
 * is the fix for both (with it, free BMC ports are found).
 */
export function startFailure(e: unknown, argv: readonly string[]): string {
  const gave = (flag: string): boolean => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
  const message = e instanceof Error ? e.message : String(e);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return `the HTTP port is in use (another lowpower runner?): choose another with --port N`;
  const bmc = /^port (\d+) is in use: choose another --bmc-base-port/.exec(message);
  if (bmc && !gave('--port') && !gave('--bmc-base-port')) return `port ${bmc[1]}, the first simulated BMC's, is in use (another lowpower runner?): start this one with its own --port N; it then finds free BMC ports by itself`;
  return message;
}

/** What a --no-pool runner started, and the import to try (a dry run, then the real one). */
function noPoolBanner(runner: LocalRunner, kept: boolean): string {
  const u = runner.url;
  const first = runner.fleet.bmcs[0].port;
  const speaks = (p: string) => runner.fleet.bmcs.filter((b) => b.protocol === p).length;
  return (
    `lowpower local runner, without a pool (--no-pool)\n` +
    `  dashboard      ${u}/   ("Add a pool" on the fleet page)\n` +
    `  HTTP API       ${u}/v1/pools  (API keys per role in ${runner.stateDir}/api-keys.json)\n` +
    `  simulators     ${runner.fleet.bmcs.length} BMCs on 127.0.0.1:${first}-${first + runner.fleet.bmcs.length - 1} (${speaks('ipmi')} IPMI over UDP, ${speaks('redfish')} Redfish over HTTPS), the pool's XAPI at ${runner.xapi.url}\n` +
    `  passwords      XAPI in ${runner.passwordFiles?.xapi}, BMCs (user admin) in ${runner.passwordFiles?.bmc}\n` +
    `  DynamoDB       embedded dynalite${kept ? ' (state kept)' : ' (in a temporary folder)'}: no pool, no hosts, no schedules\n` +
    `import the pool (a dry run first; drop --dry-run to add the matched hosts):\n  ${importCommand(runner)}\n` +
    `Ctrl-C stops.\n`
  );
}

/** Start on the first free range of BMC ports from 16230 up, in steps of 100. */
async function startOnFreeBmcPorts(o: LocalRunnerOptions): Promise<LocalRunner> {
  for (let base = 16230; ; base += 100) {
    try {
      return await startLocalRunner({ ...o, bmcBasePort: base });
    } catch (e) {
      const inUse = e instanceof Error && /in use: choose another --bmc-base-port/.test(e.message);
      if (!inUse || base + 100 > 65000) throw e;
    }
  }
}
