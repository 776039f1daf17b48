/**
 * Both protocols through the API of a local runner: the hosts show how they are reached; a host
 * is added over Redfish (its certificate pinned before the password goes out) or with `auto`
 * (Redfish service root first, IPMI presence ping next); a changed certificate stops every
 * request until an admin accepts the one they checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRunner, type LocalRunner } from '../../lib/local/runner.ts';
import { freePort } from '../support/peers.ts';
import { startRedfishBmc, createSelfSignedCertificate, type RedfishBmc } from '../../lib/sim/redfish/index.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';

let runner: LocalRunner;

beforeAll(async () => {
  runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => undefined, migrateMsPerGiB: 2, notifier: async () => undefined });
}, 60_000);
afterAll(async () => runner?.stop());

type Json = Record<string, unknown>;
const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
  const res = await fetch(`${runner.url}${path}`, { method, headers: { authorization: `Bearer ${runner.apiKeys.admin}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
};

describe('hosts on both protocols', () => {
  it('every host says how it is reached; the Redfish ones show the certificate pinned', async () => {
    const { json } = await api('GET', '/v1/hosts');
    const hosts = json.hosts as Array<{ id: string; protocol: string; tls: { fingerprint256: string } | null; binding: { state: string } }>;
    expect(hosts.map((h) => `${h.id}:${h.protocol}`)).toEqual(['host-001:ipmi', 'host-002:redfish', 'host-003:ipmi', 'host-004:redfish', 'host-005:ipmi', 'host-006:redfish']);
    for (const h of hosts) {
      expect(h.binding.state, h.id).toBe('bound');
      if (h.protocol === 'redfish') expect(h.tls?.fingerprint256).toBe(runner.fleet.byName(h.id)?.fingerprint256);
      else expect(h.tls).toBeNull();
    }
    // The live reads go through the same port: sensors of a Redfish host.
    const sensors = await api('GET', '/v1/hosts/host-004/sensors');
    expect(sensors.status).toBe(200);
    expect((sensors.json.sensors as Array<{ type: string }>).some((s) => s.type === 'temperature')).toBe(true);
  });

  it('add a Redfish host: its certificate is pinned on first use; then a changed certificate is refused until accepted', async () => {
    const pw = 'Redfish-Pass-77';
    let rf: RedfishBmc = await startRedfishBmc({ name: 'rf-new', password: pw });
    const port = rf.port;
    try {
      const add = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'rf-new', protocol: 'redfish', bmcAddress: '127.0.0.1', bmcPort: port, bmcUser: 'admin', bmcPassword: pw });
      expect(add.status, JSON.stringify(add.json)).toBe(201);
      expect(add.json.host).toMatchObject({ protocol: 'redfish', tls: { fingerprint256: rf.fingerprint256 }, binding: { bmc: { protocol: 'redfish', productSerial: 'LPSIM-rf-new' } } });
      expect(JSON.stringify(add.json)).not.toContain(pw);

      // The BMC is replaced: same address, another certificate. Nothing goes to it any more.
      await rf.stop();
      rf = await startRedfishBmc({ name: 'rf-new', password: pw, port, certificate: createSelfSignedCertificate({ commonName: 'replaced' }) });
      const sensors = await api('GET', '/v1/hosts/rf-new/sensors');
      expect(sensors.status).toBe(502);
      expect(String((sensors.json.error as Json).message)).toContain(rf.fingerprint256 as string);
      expect(rf.counters.requests).toBe(0);
      // An admin accepts it only with the fingerprint they checked: another one changes nothing.
      const wrong = await api('POST', '/v1/hosts/rf-new/accept-certificate', { reason: 'BMC replaced', fingerprint256: 'AB'.repeat(32) });
      expect(wrong.status).toBe(409);
      expect(wrong.json.error).toMatchObject({ code: 'certificate_mismatch' });
      const ok = await api('POST', '/v1/hosts/rf-new/accept-certificate', { reason: 'BMC replaced', fingerprint256: rf.fingerprint256 });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toMatchObject({ previous: add.json.host && (add.json.host as { tls: { fingerprint256: string } }).tls.fingerprint256, accepted: rf.fingerprint256 });
      expect((await api('GET', '/v1/hosts/rf-new/sensors')).status).toBe(200);
      const audit = await runner.store.listAudit(new Date().toISOString().slice(0, 10));
      expect(audit.some((a) => a.action === 'accept BMC certificate' && a.hostId === 'rf-new' && a.reason === 'BMC replaced')).toBe(true);
    } finally {
      const h = await runner.store.getHost(runner.poolId, 'rf-new');
      if (h) await runner.store.deleteHost(runner.poolId, 'rf-new', h.version);
      await rf.stop();
    }
  });

  it('auto finds Redfish where the service root answers and IPMI where only the presence ping does, and stores it', async () => {
    const pw = 'Auto-Pass-5';
    const rf = await startRedfishBmc({ name: 'auto-rf', password: pw });
    const ipmi = await startSim({ name: 'auto-ipmi', adminPassword: pw });
    try {
      const a = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'auto-rf', protocol: 'auto', bmcAddress: '127.0.0.1', bmcPort: rf.port, bmcUser: 'admin', bmcPassword: pw });
      expect(a.status, JSON.stringify(a.json)).toBe(201);
      expect(a.json.host).toMatchObject({ protocol: 'redfish' });
      const b = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'auto-ipmi', protocol: 'auto', bmcAddress: '127.0.0.1', bmcPort: ipmi.port, bmcUser: 'admin', bmcPassword: pw });
      expect(b.status, JSON.stringify(b.json)).toBe(201);
      expect(b.json.host).toMatchObject({ protocol: 'ipmi', tls: null });
      expect((await runner.store.getHost(runner.poolId, 'auto-ipmi'))?.bmcProtocolFound?.by).toBe('auto');
      // Nothing at the address: a clear 502 naming what was tried, nothing stored.
      const none = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'auto-none', protocol: 'auto', bmcAddress: '127.0.0.1', bmcPort: await freePort(), bmcUser: 'admin', bmcPassword: pw });
      expect(none.status).toBe(502);
      expect(String((none.json.error as Json).message)).toMatch(/Redfish service root .* and the ASF presence ping/);
      expect(await runner.store.getHost(runner.poolId, 'auto-none')).toBeUndefined();
    } finally {
      for (const id of ['auto-rf', 'auto-ipmi']) {
        const h = await runner.store.getHost(runner.poolId, id);
        if (h) await runner.store.deleteHost(runner.poolId, id, h.version);
      }
      await rf.stop();
      await ipmi.stop();
    }
  });

  it('plain http to a BMC off loopback is refused before anything is sent', async () => {
    const r = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'rf-http', protocol: 'redfish', bmcScheme: 'http', bmcAddress: '192.0.2.50', bmcUser: 'admin', bmcPassword: 'x' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'invalid_host', field: 'bmcScheme' });
  });

  it('a host without a usable BMC is added with protocol xapi: no BMC fields, bound to its own XAPI record', async () => {
    const before = await api('GET', '/v1/hosts/host-003');
    expect(before.json.host).toMatchObject({ protocol: 'ipmi' });
    expect((await api('DELETE', '/v1/hosts/host-003')).status).toBe(200);
    const unknown = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-999', protocol: 'xapi' });
    expect(unknown.status).toBe(409);
    expect(unknown.json.error).toMatchObject({ code: 'unknown_to_xapi' });
    const add = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-003', protocol: 'xapi' });
    expect(add.status, JSON.stringify(add.json)).toBe(201);
    expect(add.json.host).toMatchObject({ protocol: 'xapi', tls: null, binding: { state: 'bound', bmc: { protocol: 'xapi', productSerial: 'LPSIM-host-003' } } });
    // Its power is XAPI's word, marked inferred: live now, so on.
    const h = (await runner.store.getHost(runner.poolId, 'host-003'))!;
    expect(await runner.ops.driver.status(h)).toMatchObject({ power: 'on', source: 'xapi', inferred: true });
    // Without protocol xapi the BMC fields are still required, by field.
    const missing = await api('POST', '/v1/hosts', { pool: runner.poolId, id: 'host-777', bmcUser: 'admin', bmcPassword: 'x' });
    expect(missing).toMatchObject({ status: 400, json: { error: { code: 'invalid_host', field: 'bmcAddress' } } });
  });
});
