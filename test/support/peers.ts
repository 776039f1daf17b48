/**
 * Real BMC peers for tests: OpenIPMI's ipmi_sim and a pyghmi BMC (both from Debian packages),
 * started on free loopback ports with the repository's own scripts in test/peers and stopped by
 * PID, so the suite runs from a lone clone.
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The start/stop scripts and configuration of the peers (test/peers/README.md). */
export const PEERS = resolve(REPO, 'test/peers');

function udpFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createSocket('udp4');
    s.once('error', () => ok(false));
    s.bind(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
}

/** A UDP port whose next port is free for TCP too (ipmi_sim's console). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    // Below Linux's ephemeral range (32768-60999): a client socket of another test file running
    // beside this one cannot take the port between this check and the bind.
    const p = 10000 + Math.floor(Math.random() * 22000);
    if ((await udpFree(p)) && (await tcpFree(p + 1))) return p;
  }
  throw new Error('no free port pair found');
}

export interface Peer {
  port: number;
  pid: number;
  state: string;
  stop(): Promise<void>;
}

async function startPeer(kind: 'ipmi-sim' | 'pyghmi-bmc', env: NodeJS.ProcessEnv = {}): Promise<Peer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const state = mkdtempSync(join(tmpdir(), `lowpower-${kind}-`));
    try {
      // Through bash, so a checkout that lost the scripts' executable bit still works.
      const { stdout } = await run('bash', [join(PEERS, `start-${kind}.sh`), String(port), state], { env: { ...process.env, ...env }, timeout: 20_000 });
      const pid = Number(stdout.trim().split('\n').pop());
      return {
        port,
        pid,
        state,
        async stop() {
          await run('bash', [join(PEERS, `stop-${kind}.sh`), String(port), state]).catch(() => undefined);
          rmSync(state, { recursive: true, force: true });
        },
      };
    } catch (e) {
      rmSync(state, { recursive: true, force: true });
      if (attempt >= 2) throw e;
    }
  }
}

export const startIpmiSim = (): Promise<Peer> => startPeer('ipmi-sim');
export const startPyghmiBmc = (): Promise<Peer> => startPeer('pyghmi-bmc');

/** ipmitool lanplus (suite 3) against a peer; returns stdout. */
export async function ipmitool(port: number, args: string[], o: { user?: string; password?: string; lan15?: boolean } = {}): Promise<string> {
  const iface = o.lan15 ? ['-I', 'lan'] : ['-I', 'lanplus', '-C', '3'];
  const { stdout } = await run(
    'ipmitool',
    [...iface, '-H', '127.0.0.1', '-p', String(port), '-U', o.user ?? 'admin', '-P', o.password ?? 'password', '-N', '1', '-R', '3', ...args],
    { timeout: 20_000 },
  );
  return stdout;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run `lowpower ARGS` as a user would. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((ok) => {
    const child = execFile(process.execPath, [join(REPO, 'bin/lowpower.mjs'), ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A password file (mode 0600) in a fresh temporary folder. */
export function secretFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lowpower-secret-'));
  const path = join(dir, 'password');
  writeFileSync(path, content + '\n', { mode: 0o600 });
  return path;
}

export function readState(peer: Peer, file: string): string {
  return readFileSync(join(peer.state, file), 'utf8');
}

export function writeSensor(peer: Peer, n: number, raw: number): void {
  writeFileSync(join(peer.state, 'sensors', String(n)), `${raw}\n`);
}
