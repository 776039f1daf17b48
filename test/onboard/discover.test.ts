/**
 * Finding BMCs in a range, over real sockets on loopback: how many probes are in flight at once
 * (measured by the listeners), and what an address receives. A listener that is no BMC gets only
 * the presence ping and the unauthenticated service-root GET, never a user or password; a BMC that
 * answered gets its identity read over RMCP+ (never IPMI v1.5 with a password) or pinned HTTPS.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverBmcs } from '../../lib/onboard/discover.ts';
import { IpmiPowerDriver, RedfishPowerDriver } from '../../lib/drivers/index.ts';
import { DriversByProtocol } from '../../lib/ops/index.ts';
import type { Secrets } from '../../lib/store/secrets.ts';
import { decodeAsfPing, encodeAsfPong, RMCP_CLASS_ASF, RMCP_CLASS_IPMI } from '../../lib/ipmi/codec/rmcp.ts';
import { createSelfSignedCertificate, startRedfishBmc, type RedfishBmc } from '../../lib/sim/redfish/index.ts';
import { simIdentityFor } from '../../lib/sim/ipmi/identity.ts';
import type { SimulatedBmc } from '../../lib/sim/ipmi/server.ts';
import { startSim } from '../sim/ipmi/sim-support.ts';

const PASSWORD = 'import-test-Pa55word';
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c().catch(() => undefined)));
});

/** Real drivers with short deadlines: a listener that answers the ping but speaks no IPMI fails fast. */
const drivers = (secrets: Secrets) => new DriversByProtocol({ ipmi: new IpmiPowerDriver(secrets, { timeoutMs: 150, retries: 0 }), redfish: new RedfishPowerDriver(secrets, { timeoutMs: 3000 }) });

/** A UDP listener that answers ASF pings after `delayMs` (0: never) and records every datagram. */
async function udpListener(o: { answerAfterMs?: number; gauge?: { now: number; max: number } }): Promise<{ port: number; packets: Buffer[]; socket: Socket }> {
  const socket = createSocket('udp4');
  const packets: Buffer[] = [];
  socket.on('message', (msg, from) => {
    packets.push(Buffer.from(msg));
    if (msg[3] !== RMCP_CLASS_ASF || o.answerAfterMs === undefined) return;
    const g = o.gauge;
    if (g) g.max = Math.max(g.max, ++g.now);
    setTimeout(() => {
      if (g) g.now--;
      socket.send(encodeAsfPong(decodeAsfPing(msg).tag), from.port, from.address);
    }, o.answerAfterMs);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => socket.close(() => r())));
  return { port: (socket.address() as AddressInfo).port, packets, socket };
}

const isAsfPing = (p: Buffer): boolean => p[3] === RMCP_CLASS_ASF && p[8] === 0x80;

describe('probing a range is bounded', () => {
  it('no more probes in flight than the concurrency, measured by the listeners', async () => {
    for (const concurrency of [6, 1]) {
      const gauge = { now: 0, max: 0 };
      const listeners = await Promise.all(Array.from({ length: 12 }, () => udpListener({ answerAfterMs: 60, gauge })));
      const t0 = performance.now();
      const { found, probed } = await discoverBmcs({ targets: listeners.map((l) => ({ host: '127.0.0.1', port: l.port })), protocol: 'ipmi', bmcUser: 'admin', bmcPassword: PASSWORD, driversFor: drivers, concurrency, probeTimeoutMs: 1000 });
      const ms = performance.now() - t0;
      expect(probed).toBe(12);
      expect(gauge.max, `concurrency ${concurrency}`).toBe(concurrency);
      // Twelve 60 ms answers, `concurrency` at a time: at least 12 / concurrency rounds.
      expect(ms).toBeGreaterThanOrEqual((12 / concurrency) * 60 - 5);
      // Each answered the ping, then spoke no IPMI: found, its identity unreadable, with why.
      expect(found).toHaveLength(12);
      for (const f of found) expect(f.error, `${f.port}`).toMatch(/\S/);
      for (const l of listeners) expect(l.packets.filter(isAsfPing).length, `${l.port}`).toBe(1);
    }
  });

  it('each probe has its deadline: a silent address gets the ping and one retransmission within it, then is left', async () => {
    const silent = await udpListener({});
    const t0 = performance.now();
    const { found } = await discoverBmcs({ targets: [{ host: '127.0.0.1', port: silent.port }], protocol: 'ipmi', bmcUser: 'admin', bmcPassword: PASSWORD, driversFor: drivers, probeTimeoutMs: 200 });
    const ms = performance.now() - t0;
    expect(found).toEqual([]);
    expect(silent.packets).toHaveLength(2);
    expect(silent.packets.every(isAsfPing)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(1000);
  });
});

describe('what each address receives', () => {
  let ipmiBmc: SimulatedBmc;
  let redfishBmc: RedfishBmc;

  it('a listener that is no BMC gets only the presence ping and the unauthenticated GET; credentials go only to the BMCs that answered', async () => {
    ipmiBmc = await startSim({ name: 'disc-ipmi', identity: simIdentityFor('disc-ipmi'), adminPassword: PASSWORD });
    closers.push(() => ipmiBmc.stop());
    redfishBmc = await startRedfishBmc({ name: 'disc-redfish', password: PASSWORD, port: 0 });
    closers.push(() => redfishBmc.stop());

    // No BMC: a UDP listener that answers nothing, an HTTPS server that is no Redfish service (404),
    // a TCP service that speaks no TLS, and a UDP listener that records what reaches the ports above.
    const udpSilent = await udpListener({});
    const cert = createSelfSignedCertificate({ commonName: 'not a bmc' });
    const httpsSeen: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];
    const https: HttpsServer = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('latin1')));
      req.on('end', () => {
        httpsSeen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      });
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => https.close(() => r())));
    const tcpSeen: Buffer[] = [];
    const tcp: TcpServer = createTcpServer((s) => {
      s.on('data', (d) => tcpSeen.push(Buffer.from(d)));
      s.on('error', () => undefined);
      s.write('SSH-2.0-NotABmc\r\n');
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => tcp.close(() => r())));
    const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;

    const targets = [udpSilent.port, port(https), port(tcp), ipmiBmc.port, redfishBmc.port].map((p) => ({ host: '127.0.0.1', port: p }));
    const { found, probed } = await discoverBmcs({ targets, protocol: 'auto', bmcUser: 'admin', bmcPassword: PASSWORD, driversFor: drivers, probeTimeoutMs: 400 });
    expect(probed).toBe(5);

    // The two BMCs were found and read with the credentials; nothing else answered.
    expect(found.map((f) => `${f.port} ${f.protocol}`).sort()).toEqual([`${ipmiBmc.port} ipmi`, `${redfishBmc.port} redfish`].sort());
    const ipmi = found.find((f) => f.protocol === 'ipmi');
    const redfish = found.find((f) => f.protocol === 'redfish');
    expect(ipmi?.identity?.productSerial).toBe('LPSIM-disc-ipmi');
    expect(redfish?.identity?.productSerial).toBe('LPSIM-disc-redfish');
    // The certificate the probe saw before any credential is the one the identity read was pinned to.
    expect(redfish?.fingerprint256).toBe(redfishBmc.fingerprint256);
    expect(redfishBmc.counters.unauthorized).toBe(0);

    // The UDP listener: the presence ping and its one retransmission, nothing else.
    expect(udpSilent.packets.length).toBe(2);
    expect(udpSilent.packets.every(isAsfPing)).toBe(true);
    // The HTTPS server that is no Redfish service: one GET of the service root, no credential.
    expect(httpsSeen).toEqual([{ method: 'GET', url: '/redfish/v1/', authorization: undefined, body: '' }]);
    // The TCP service without TLS: a TLS ClientHello (record type 22), then nothing.
    const tcpBytes = Buffer.concat(tcpSeen);
    expect(tcpBytes[0]).toBe(0x16);
    for (const bytes of [tcpBytes, ...udpSilent.packets, Buffer.from(JSON.stringify(httpsSeen))]) {
      expect(bytes.includes(PASSWORD)).toBe(false);
      expect(bytes.includes('admin')).toBe(false);
    }
  });

  it('an IPMI BMC gets its credentials over RMCP+ only: no IPMI v1.5 authenticated packet, the password never on the wire', async () => {
    // A recording relay in front of the simulated BMC: it sees every datagram the import sends.
    const relay = createSocket('udp4');
    const sent: Buffer[] = [];
    const upstream = createSocket('udp4');
    let client: { port: number; address: string } | undefined;
    relay.on('message', (msg, from) => {
      sent.push(Buffer.from(msg));
      client = { port: from.port, address: from.address };
      upstream.send(msg, ipmiBmc.port, '127.0.0.1');
    });
    upstream.on('message', (msg) => client && relay.send(msg, client.port, client.address));
    await new Promise<void>((r) => relay.bind(0, '127.0.0.1', () => r()));
    await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => relay.close(() => r())), () => new Promise<void>((r) => upstream.close(() => r())));

    const { found } = await discoverBmcs({ targets: [{ host: '127.0.0.1', port: (relay.address() as AddressInfo).port }], protocol: 'ipmi', bmcUser: 'admin', bmcPassword: PASSWORD, driversFor: drivers });
    expect(found[0]?.identity?.productSerial).toBe('LPSIM-disc-ipmi');
    expect(sent.length).toBeGreaterThan(3);
    expect(isAsfPing(sent[0])).toBe(true);
    for (const p of sent.slice(1)) {
      expect(p[3]).toBe(RMCP_CLASS_IPMI);
      // Auth type: 0x06 is RMCP+; 0x00 (no session: Get Channel Authentication Capabilities) carries
      // no credential; 0x01, 0x02, 0x04, 0x05 would be an IPMI v1.5 session with the password.
      expect([0x00, 0x06]).toContain(p[4]);
      expect(p.includes(PASSWORD)).toBe(false);
    }
    expect(sent.some((p) => p[4] === 0x06)).toBe(true);
  });
});
