/**
 * `lowpower bmc VERB ...`: one BMC, ipmitool-like verbs, table or JSON output. Exit 0 on success;
 * 1 with one line on stderr (which host, what failed, what to check) on failure.
 */
import { openBmc, pingBmc, type Bmc } from '../ipmi/index.ts';
import { IpmiError } from '../ipmi/index.ts';
import { POWER_ACTIONS, type PowerAction } from '../ipmi/index.ts';
import { BootDevice, type BootDeviceName } from '../ipmi/index.ts';
import { setupBmc } from '../ipmi/index.ts';
import { Privilege } from '../ipmi/index.ts';
import { intFlag, parseArgs, UsageError, type FlagSpec } from './args.ts';
import * as fmt from './format.ts';
import { connection, readSecretFile } from './bmc-connection.ts';
import { openRedfishFromFlags, runRedfishVerb } from './bmc-redfish-command.ts';
import { lanVerb, restorePolicyVerb, userVerb, type Out } from './bmc-config-verbs.ts';
import { RedfishError, type RedfishBmc } from '../redfish/index.ts';

export const BMC_USAGE = `usage: lowpower bmc VERB -H HOST [-p PORT] -U USER (-E | -f PASSWORD_FILE) [options]
       lowpower bmc VERB --protocol redfish -H https://HOST[:PORT] -U USER (-E | -f FILE) [--fingerprint FP]

connection:
  -H HOST            BMC address            -p PORT       UDP port (623)
  -U USER            BMC user               -E            password from $IPMI_PASSWORD
  -f FILE            password from FILE     -P PASSWORD   (shows in the process list: avoid)
  -C 3|17            cipher suite (default: 17, falling back to 3)
  --lan15            IPMI v1.5 with MD5 instead of RMCP+
  -L user|operator|administrator         session privilege (administrator)
  -t MS              deadline per request (2000)   -R N   retransmissions (3)
  --json             JSON output
  --protocol ipmi|redfish   (ipmi) Redfish: -H is the BMC's base URL (http:// only to loopback);
                     --fingerprint SHA256 pins its certificate (without it, the one seen is shown)

verbs (over Redfish: power status|on|off|soft|cycle, power restore-policy, identity, sensors,
       sel list, dcmi power):
  ping (no user or password needed)
  power status|on|off|soft|cycle|reset   chassis status        mc info
  power restore-policy [always-off|previous|always-on]   (no argument: show the current one)
  identity                               System GUID (canonical and as sent), FRU serials and names
  identify [SECONDS]                     bootdev pxe|disk|bios
  sensors [--type temperature|fan|voltage|...]
  sel list|clear                         dcmi power
  lan print [CHANNEL]                    lan set CHANNEL ipsrc|ipaddr|netmask|defgw VALUE
  user list [CHANNEL]                    user set-password ID [--new-password-file FILE]
  setup --user-id ID --user-name NAME --user-password-file FILE
        [--channel 1] [--ipaddr A] [--netmask M] [--defgw G] [--dry-run]
`;

const FLAGS: FlagSpec[] = [
  { names: ['-H', '--host'], value: true, key: 'host' },
  { names: ['-p', '--port'], value: true, key: 'port' },
  { names: ['-U', '--user'], value: true, key: 'user' },
  { names: ['-E'], key: 'envPassword' },
  { names: ['-f', '--password-file'], value: true, key: 'passwordFile' },
  { names: ['-P', '--password'], value: true, key: 'password' },
  { names: ['-C', '--cipher-suite'], value: true, key: 'suite' },
  { names: ['-L', '--privilege'], value: true, key: 'privilege' },
  { names: ['-t', '--timeout'], value: true, key: 'timeout' },
  { names: ['-R', '--retries'], value: true, key: 'retries' },
  { names: ['--lan15'], key: 'lan15' },
  { names: ['--json'], key: 'json' },
  { names: ['--protocol'], value: true, key: 'protocol' },
  { names: ['--fingerprint'], value: true, key: 'fingerprint' },
  { names: ['--type'], value: true, key: 'type' },
  { names: ['--new-password-file'], value: true, key: 'newPasswordFile' },
  { names: ['--user-id'], value: true, key: 'userId' },
  { names: ['--user-name'], value: true, key: 'userName' },
  { names: ['--user-password-file'], value: true, key: 'userPasswordFile' },
  { names: ['--channel'], value: true, key: 'channel' },
  { names: ['--ipaddr'], value: true, key: 'ipaddr' },
  { names: ['--netmask'], value: true, key: 'netmask' },
  { names: ['--defgw'], value: true, key: 'defgw' },
  { names: ['--dry-run'], key: 'dryRun' },
  { names: ['-h', '--help'], key: 'help' },
];


async function runVerb(bmc: Bmc, words: string[], flags: Record<string, string | boolean>, out: Out): Promise<void> {
  const [verb, sub, ...rest] = words;
  const need = (ok: boolean, usage: string): void => {
    if (!ok) throw new UsageError(`usage: lowpower bmc ${usage}`);
  };
  switch (verb) {
    case 'power': {
      if (sub === 'restore-policy') return restorePolicyVerb(bmc, rest, out, need);
      need(!!sub && POWER_ACTIONS.includes(sub as PowerAction) && sub !== 'diag', 'power status|on|off|soft|cycle|reset');
      const r = await bmc.power(sub as PowerAction);
      const text = sub === 'status' ? `Chassis Power is ${r.power}` : r.changed ? r.message : `Chassis Power is already ${r.power}`;
      out(text + '\n', sub === 'status' ? { power: r.power } : { power: r.power, changed: r.changed, confirmed: r.confirmed, message: r.message });
      return;
    }
    case 'identity': {
      need(sub === undefined, 'identity');
      const id = await bmc.identity();
      out(fmt.formatIdentity(id), id);
      return;
    }
    case 'chassis': {
      need(sub === 'status', 'chassis status');
      const s = await bmc.chassisStatus();
      out(fmt.formatChassisStatus(s), s);
      return;
    }
    case 'mc': {
      need(sub === 'info', 'mc info');
      const d = await bmc.deviceId();
      out(fmt.formatDeviceId(d), { ...d, auxFirmware: d.auxFirmware?.toString('hex') });
      return;
    }
    case 'identify': {
      const seconds = sub === undefined ? 15 : intFlag(sub, 'identify SECONDS', 0, 255);
      await bmc.identify(seconds);
      out(`Chassis identify interval: ${seconds === 0 ? 'off' : `${seconds} seconds`}\n`, { identify: seconds });
      return;
    }
    case 'bootdev': {
      need(sub === 'pxe' || sub === 'disk' || sub === 'bios', 'bootdev pxe|disk|bios');
      await bmc.setBootDevice(sub as BootDeviceName);
      out(`Set Boot Device to ${sub}\n`, { bootdev: sub, selector: BootDevice[sub as BootDeviceName] });
      return;
    }
    case 'sensors': {
      need(sub === undefined, 'sensors [--type TYPE]');
      const list = await bmc.sensors({ type: typeof flags.type === 'string' ? flags.type : undefined });
      out(fmt.formatSensors(list), list);
      return;
    }
    case 'sel': {
      need(sub === 'list' || sub === 'clear', 'sel list|clear');
      if (sub === 'clear') {
        await bmc.clearSel();
        out('Clearing SEL: done\n', { cleared: true });
      } else {
        const list = await bmc.sel();
        out(fmt.formatSel(list), list.map(({ raw, ...e }) => ({ ...e, raw: raw.toString('hex') })));
      }
      return;
    }
    case 'dcmi': {
      need(sub === 'power', 'dcmi power');
      const p = await bmc.powerReading();
      out(fmt.formatPowerReading(p), p);
      return;
    }
    case 'lan':
      return lanVerb(bmc, sub, rest, out, need);
    case 'user':
      return userVerb(bmc, sub, rest, flags, out, need);
    case 'setup': {
      const userId = intFlag(flags.userId, '--user-id', 2, 63);
      need(userId !== undefined && typeof flags.userName === 'string' && typeof flags.userPasswordFile === 'string', 'setup --user-id ID --user-name NAME --user-password-file FILE [--channel N] [--ipaddr A] [--netmask M] [--defgw G] [--dry-run]');
      const steps = await setupBmc(
        bmc,
        {
          channel: intFlag(flags.channel, '--channel', 1, 15) ?? 1,
          ipAddress: typeof flags.ipaddr === 'string' ? flags.ipaddr : undefined,
          netmask: typeof flags.netmask === 'string' ? flags.netmask : undefined,
          gatewayIp: typeof flags.defgw === 'string' ? flags.defgw : undefined,
          userId: userId as number,
          userName: String(flags.userName),
          userPassword: readSecretFile(String(flags.userPasswordFile), 'user password'),
          privilege: Privilege.administrator,
        },
        { dryRun: !!flags.dryRun },
      );
      out(fmt.formatSetup(steps), steps);
      return;
    }
    default:
      throw new UsageError(verb === undefined ? 'no verb given' : `unknown verb "${verb}"`);
  }
}

function describe(e: unknown): string {
  if (e instanceof IpmiError || e instanceof UsageError || e instanceof RedfishError) return e.message;
  if (e instanceof Error) return `unexpected error: ${e.message}`;
  return `unexpected error: ${String(e)}`;
}

export async function runBmcCommand(argv: string[]): Promise<number> {
  let bmc: Bmc | undefined;
  try {
    const { flags, positional } = parseArgs(argv, FLAGS);
    if (flags.help) {
      process.stdout.write(BMC_USAGE);
      return 0;
    }
    if (positional.length === 0) throw new UsageError('no verb given');
    const json = !!flags.json;
    if (positional[0] === 'ping') {
      // ASF presence ping: no credentials, no session.
      if (typeof flags.host !== 'string') throw new UsageError('no BMC: give -H HOST');
      const port = intFlag(flags.port, '-p', 1, 65535) ?? 623;
      const pong = await pingBmc({ host: flags.host, port, timeoutMs: intFlag(flags.timeout, '-t', 50, 600_000) });
      const text = `${flags.host}:${port} answered the ASF ping in ${pong.ms.toFixed(1)} ms (IPMI ${pong.ipmiSupported ? 'supported' : 'not supported'})\n`;
      process.stdout.write(json ? JSON.stringify({ host: flags.host, port, ipmi: pong.ipmiSupported, ms: pong.ms }) + '\n' : text);
      return 0;
    }
    const out: Out = (text, value) => process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text);
    const protocol = flags.protocol ?? 'ipmi';
    if (protocol === 'redfish') return await runRedfish(positional, flags, out);
    if (protocol !== 'ipmi') throw new UsageError('--protocol must be ipmi or redfish');
    const options = connection(flags);
    bmc = openBmc(options);
    await runVerb(bmc, positional, flags, out);
    return 0;
  } catch (e) {
    const where = bmc && !(e instanceof UsageError) && !(e instanceof Error && e.message.startsWith(bmc.host)) ? `${bmc.key}: ` : '';
    process.stderr.write(`lowpower bmc: ${where}${describe(e)}\n`);
    if (e instanceof UsageError) process.stderr.write(`run "lowpower bmc --help" for usage\n`);
    return 1;
  } finally {
    await bmc?.close();
  }
}

async function runRedfish(positional: string[], flags: Record<string, string | boolean>, out: Out): Promise<number> {
  let seen: string | undefined;
  const rf: RedfishBmc = openRedfishFromFlags(flags, (fp) => (seen = fp));
  try {
    await runRedfishVerb(rf, positional, flags, out);
    // Shown once, on stderr, so a script's --json output stays clean: pin it with --fingerprint next time.
    if (seen && flags.fingerprint === undefined) process.stderr.write(`lowpower bmc: ${rf.label} presented certificate SHA-256 ${seen} (pin it with --fingerprint)\n`);
    return 0;
  } finally {
    await rf.close().catch(() => undefined);
  }
}
