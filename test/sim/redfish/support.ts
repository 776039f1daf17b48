/** Helpers for the Redfish simulator's tests: a BMC on a free loopback port, and requests to it over real sockets. */
import http from 'node:http';
import https from 'node:https';
import { RedfishBmc, type RedfishBmcOptions } from '../../../lib/sim/redfish/index.ts';
import type { Clock } from '../../../lib/sim/ipmi/clock.ts';

export const PASSWORD = 'bmc-secret-7d1c';

export async function startBmc(o: Partial<RedfishBmcOptions> = {}): Promise<RedfishBmc> {
  const bmc = new RedfishBmc({ name: 'host-001', password: PASSWORD, ...o });
  await bmc.start();
  return bmc;
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public t = Date.UTC(2025, 0, 15, 8, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // Redfish JSON, read freely by the tests
}

export interface CallOptions {
  body?: unknown;
  /** Raw body text (sent as is). */
  raw?: string;
  headers?: Record<string, string>;
  /** Basic credentials; `false` sends none. Default admin / PASSWORD. */
  basic?: { user: string; password: string } | false;
  token?: string;
  /** Give up after this long (ms). */
  timeoutMs?: number;
}

/** One request; over HTTPS the BMC's own certificate is the only trusted one, so the TLS is verified too. */
export function call(bmc: RedfishBmc, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  const basic = o.basic === undefined ? { user: 'admin', password: PASSWORD } : o.basic;
  if (basic && !o.token) headers.Authorization = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
  if (o.token) headers['X-Auth-Token'] = o.token;
  const payload = o.raw ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined);
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  const url = new URL(path, bmc.url);
  const options: https.RequestOptions = { method, headers, timeout: o.timeoutMs ?? 5000, agent: false };
  if (bmc.certificate) options.ca = bmc.certificate.certPem;
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs ?? 5000} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Log in: the session's token and its URI. */
export async function login(bmc: RedfishBmc, user = 'admin', password = PASSWORD): Promise<{ token: string; location: string }> {
  const a = await call(bmc, 'POST', '/redfish/v1/SessionService/Sessions', { basic: false, body: { UserName: user, Password: password } });
  if (a.status !== 201) throw new Error(`login: ${a.status} ${a.text}`);
  return { token: String(a.headers['x-auth-token']), location: String(a.headers.location) };
}

/** Poll until `check` holds (or throw after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
