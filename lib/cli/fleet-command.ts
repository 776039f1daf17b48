/**
 * `lowpower fleet status --inventory FILE`: every BMC of an inventory at once, a table or JSON.
 * Exit 0 when the sweep ran, even when some BMCs failed (a summary line on stderr says how many);
 * 1 with one line on stderr for bad usage or an unusable inventory.
 */
import { InventoryError, readInventory } from '../fleet/index.ts';
import { sweepFleet, type HostResult, type SweepResult } from '../fleet/index.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';
import { table } from './format.ts';

export const FLEET_USAGE = `usage: lowpower fleet status --inventory FILE [options]

  --inventory FILE   JSON array of {name, host, port, user, passwordFile}
                     (passwordFile relative to FILE's folder; first line is the password)
  --concurrency N    BMCs asked at the same time (64)
  -t MS              deadline per request (2000)   -R N   retransmissions (3)
  -C 3|17            cipher suite (default: 17, falling back to 3)
  --json             JSON output
`;

const FLAGS: FlagSpec[] = [
  { names: ['-i', '--inventory'], value: true, key: 'inventory' },
  { names: ['--concurrency'], value: true, key: 'concurrency' },
  { names: ['-t', '--timeout'], value: true, key: 'timeout' },
  { names: ['-R', '--retries'], value: true, key: 'retries' },
  { names: ['-C', '--cipher-suite'], value: true, key: 'suite' },
  { names: ['--json'], key: 'json' },
  { names: ['-h', '--help'], key: 'help' },
];

/** "swept 37/100, 2 failed". Pure. */
export function progressLine(done: number, total: number, failed: number): string {
  return `swept ${done}/${total}, ${failed} failed`;
}

/** The closing stderr line: how many BMCs were read, how many failed, how long it took. Pure. */
export function summaryLine(r: SweepResult): string {
  const total = r.hosts.length;
  return `swept ${total} BMC${total === 1 ? '' : 's'} in ${(r.ms / 1000).toFixed(1)} s: ${r.ok} ok, ${r.failed} failed`;
}

/** The error without the "host:port: " its row already shows. Pure. */
function shortError(h: HostResult & { ok: false }): string {
  for (const prefix of [`${h.host}:${h.port}: `, `${h.host}: `]) if (h.error.startsWith(prefix)) return h.error.slice(prefix.length);
  return h.error;
}

function status(h: HostResult): string {
  if (!h.ok) return `error: ${shortError(h)}`;
  const alarms = h.temperatures.filter((t) => t.status !== 'ok' && t.status !== 'unavailable' && t.status !== 'discrete');
  return alarms.length === 0 ? 'ok' : alarms.map((t) => `${t.name} ${t.status}`).join(', ');
}

/** The text table: name, host:port, power, hottest °C, watts, status or error. Pure. */
export function formatFleet(r: SweepResult): string {
  const rows = [['NAME', 'HOST:PORT', 'POWER', 'HOTTEST °C', 'WATTS', 'STATUS']];
  for (const h of r.hosts) {
    const where = `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
    if (!h.ok) rows.push([h.name, where, '-', '-', '-', status(h)]);
    else rows.push([h.name, where, h.power, h.hottest === null ? 'n/a' : String(h.hottest), h.watts === null ? 'n/a' : String(h.watts), status(h)]);
  }
  return table(rows);
}

/** A stderr line that rewrites itself, at most every 100 ms (and always for the last BMC). */
function progressWriter(): (done: number, total: number, failed: number) => void {
  let last = 0;
  return (done, total, failed) => {
    const now = performance.now();
    if (done < total && now - last < 100) return;
    last = now;
    process.stderr.write(`\r\x1b[K${progressLine(done, total, failed)}`);
  };
}

function describe(e: unknown): string {
  if (e instanceof UsageError) return `${e.message} (run "lowpower fleet --help" for usage)`;
  if (e instanceof InventoryError) return e.message;
  if (e instanceof Error) return `unexpected error: ${e.message}`;
  return `unexpected error: ${String(e)}`;
}

/** Run `lowpower fleet ARGS`; returns the exit code. */
export async function runFleetCommand(argv: string[]): Promise<number> {
  const tty = !!process.stderr.isTTY;
  let progressShown = false;
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(FLEET_USAGE);
      return 0;
    }
    if (positional.length === 0) throw new UsageError('no verb given: lowpower fleet status --inventory FILE');
    if (positional[0] !== 'status') throw new UsageError(`unknown verb "${positional[0]}"`);
    if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
    if (typeof flags.inventory !== 'string') throw new UsageError('no inventory: give --inventory FILE');
    const suite = intFlag(flags.suite, '-C', 0, 17);
    if (suite !== undefined && suite !== 3 && suite !== 17) throw new UsageError('-C: lowpower speaks cipher suites 3 and 17');
    const options = {
      concurrency: intFlag(flags.concurrency, '--concurrency', 1, 4096),
      timeoutMs: intFlag(flags.timeout, '-t', 50, 600_000),
      retries: intFlag(flags.retries, '-R', 0, 10),
      cipherSuite: suite,
    };
    const inventory = readInventory(flags.inventory);
    const progress = progressWriter();
    const result = await sweepFleet(inventory, {
      ...options,
      onProgress: tty
        ? (done, total, failed) => {
            progressShown = true;
            progress(done, total, failed);
          }
        : undefined,
    });
    if (progressShown) process.stderr.write('\r\x1b[K');
    progressShown = false;
    process.stdout.write(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatFleet(result));
    if (tty || result.failed > 0) process.stderr.write(`lowpower fleet: ${summaryLine(result)}\n`);
    return 0;
  } catch (e) {
    if (progressShown) process.stderr.write('\r\x1b[K');
    process.stderr.write(`lowpower fleet: ${describe(e)}\n`);
    return 1;
  }
}
