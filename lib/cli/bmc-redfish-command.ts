/**
 * `lowpower bmc VERB --protocol redfish -H URL ...`: the verbs that make sense over Redfish (power,
 * restore policy, identity, sensors, the event log, watts as `dcmi power`), with the same `--json`
 * shapes as over IPMI where the two carry the same facts. The certificate is pinned when
 * `--fingerprint` is given (and must then match), else shown so it can be pinned next time.
 */
import { openRedfish, RedfishError, normalizeFingerprint, type RedfishBmc } from '../redfish/index.ts';
import { UsageError, intFlag } from './args.ts';
import { redfishPassword } from './bmc-connection.ts';
import { table, fields } from './format.ts';

type Out = (text: string, json: unknown) => void;

/** The endpoint from `-H https://host[:port]` (or http:// to loopback), or `-H host [-p port]`. */
export function redfishEndpoint(flags: Record<string, string | boolean>): { host: string; port?: number; protocol: 'https' | 'http' } {
  if (typeof flags.host !== 'string') throw new UsageError('no BMC: give -H https://HOST[:PORT]');
  const text = flags.host;
  if (/^https?:\/\//i.test(text)) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new UsageError(`-H ${text}: not a URL`);
    }
    if (u.pathname !== '/' && u.pathname !== '' && !/^\/redfish(\/v1)?\/?$/.test(u.pathname)) throw new UsageError(`-H ${text}: give the BMC's base URL (https://host[:port]), not a resource path`);
    const protocol = u.protocol === 'http:' ? 'http' : 'https';
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : undefined, protocol };
  }
  return { host: text, port: intFlag(flags.port, '-p', 1, 65535), protocol: 'https' };
}

export function openRedfishFromFlags(flags: Record<string, string | boolean>, onFirstUse: (fp: string) => void): RedfishBmc {
  if (typeof flags.user !== 'string') throw new UsageError('no user: give -U USER');
  const fingerprint = typeof flags.fingerprint === 'string' ? normalizeFingerprint(flags.fingerprint) : undefined;
  return openRedfish({
    ...redfishEndpoint(flags),
    username: flags.user,
    password: redfishPassword(flags),
    timeoutMs: intFlag(flags.timeout, '-t', 50, 600_000) ?? 10_000,
    retries: intFlag(flags.retries, '-R', 0, 10),
    tls: { fingerprint, onFirstUse },
    // One command, one session: the CLI logs in, asks, and logs out at close().
    sessionIdleMs: Infinity,
  });
}

const POWER = ['status', 'on', 'off', 'soft', 'cycle'] as const;

export async function runRedfishVerb(bmc: RedfishBmc, words: string[], flags: Record<string, string | boolean>, out: Out): Promise<void> {
  const [verb, sub, ...rest] = words;
  const need = (ok: boolean, usage: string): void => {
    if (!ok) throw new UsageError(`usage: lowpower bmc ${usage} --protocol redfish`);
  };
  switch (verb) {
    case 'power': {
      if (sub === 'restore-policy') {
        need(rest.length <= 1 && (rest.length === 0 || ['always-off', 'previous', 'always-on'].includes(rest[0])), 'power restore-policy [always-off|previous|always-on]');
        if (rest.length === 0) {
          const r = await bmc.restorePolicy();
          out(`Power Restore Policy : ${r.policy}\n`, { restorePolicy: r.policy });
          return;
        }
        const change = await bmc.setRestorePolicy(rest[0] as 'always-off' | 'previous' | 'always-on');
        const now = await bmc.restorePolicy();
        out(`Set chassis power restore policy to ${rest[0]}\nPower Restore Policy : ${now.policy}\nSupported policies   : ${now.allowed?.join(' ') ?? 'none reported'}\n`, {
          restorePolicy: now.policy,
          requested: rest[0],
          supported: now.allowed ?? [],
          changed: change.changed,
        });
        return;
      }
      need(!!sub && (POWER as readonly string[]).includes(sub), 'power status|on|off|soft|cycle');
      if (sub === 'status') {
        const s = await bmc.powerState();
        out(`Chassis Power is ${s.power}${s.power === 'unknown' ? ` (PowerState ${s.raw ?? 'not reported'})` : ''}\n`, { power: s.power });
        return;
      }
      const r = await bmc.power(sub as 'on' | 'off' | 'soft' | 'cycle');
      out(`${r.changed ? r.message : `Chassis Power is already ${r.power}`}\n`, { power: r.power, changed: r.changed, confirmed: r.confirmed, message: r.message });
      return;
    }
    case 'identity': {
      need(sub === undefined, 'identity');
      const id = await bmc.identity();
      const json = { guid: id.uuid, productSerial: id.systemSerial ?? id.serialNumber, chassisSerial: id.chassisSerial, manufacturer: id.manufacturer, productName: id.model };
      const none = 'not reported';
      out(
        fields([
          ['System UUID', id.uuid ?? none],
          ['Serial number', json.productSerial ?? none],
          ['Chassis serial', id.chassisSerial ?? none],
          ['Manufacturer', id.manufacturer ?? none],
          ['Model', id.model ?? none],
        ]),
        json,
      );
      return;
    }
    case 'sensors': {
      need(sub === undefined, 'sensors [--type TYPE]');
      const type = typeof flags.type === 'string' ? flags.type.toLowerCase() : undefined;
      const list = (await bmc.sensors()).filter((s) => type === undefined || s.type === type);
      const shown = list.map((s) => ({ name: s.name, type: s.type, value: s.value, unit: s.unit, status: s.status, thresholds: s.thresholds }));
      out(shown.length === 0 ? 'no sensors\n' : table(shown.map((s) => [s.name, s.type, s.value === null ? 'na' : String(s.value), s.value === null ? '' : s.unit, s.status])), shown);
      return;
    }
    case 'sel': {
      need(sub === 'list', 'sel list');
      const log = await bmc.eventLog();
      out(
        log.entries.length === 0 ? 'SEL has no entries\n' : table(log.entries.map((e) => [String(e.id), e.timestamp ?? 'no time', e.sensor ?? '', e.event, e.direction ?? ''])),
        log.entries.map((e) => ({ recordId: e.id, timestamp: e.timestamp, sensorType: e.sensor, description: e.event, direction: e.direction })),
      );
      return;
    }
    case 'dcmi': {
      need(sub === 'power', 'dcmi power');
      const w = await bmc.watts();
      if (w.watts === null) throw new RedfishError(`${bmc.label}: the BMC reports no power reading (neither PowerControl nor EnvironmentMetrics)`);
      out(fields([['Instantaneous power reading', `${w.watts} Watts`], ['Source', w.source ?? 'unknown'], ['Observed at', w.observedAt]]), { watts: w.watts, source: w.source, observedAt: w.observedAt, active: true });
      return;
    }
    default:
      throw new UsageError(verb === undefined ? 'no verb given' : `"${verb}" is not a Redfish verb here (power, identity, sensors, sel list, dcmi power)`);
  }
}
