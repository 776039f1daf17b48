/**
 * DMTF's Redfish Mockup Server (a Redfish service nobody on this project wrote), started from the
 * shared peers (../shared/peers beside the clone) on a free loopback port, stopped by its PID.
 * A lone clone has no ../shared: its tests are skipped with one printed line, except in CI
 * (CI=true), where a missing peer is a failure.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'vitest';
import { REPO } from './peers.ts';

const run = promisify(execFile);

export const SHARED_PEERS = resolve(REPO, '../shared/peers');
const START = join(SHARED_PEERS, 'start-redfish-mockup.sh');
const STOP = join(SHARED_PEERS, 'stop-redfish-mockup.sh');
/** DMTF's public-rackmount1 mockup (read-only: the server works on a copy). */
export const RACKMOUNT1 = join(SHARED_PEERS, 'redfish-mockup/public-rackmount1');

/** Why the mockup cannot run here, or undefined when it can. */
export function mockupMissing(): string | undefined {
  if (!existsSync(START) || !existsSync(RACKMOUNT1)) return `${SHARED_PEERS} (DMTF's Redfish mockup) is missing`;
  if (!existsSync('/usr/bin/python3')) return '/usr/bin/python3 is missing';
  return undefined;
}

let told = false;

/** `describe` that runs with the mockup, skips with one line without it, and fails without it in CI. */
export function describeWithMockup(name: string, body: () => void): void {
  const why = mockupMissing();
  if (!why) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => it('needs the DMTF Redfish mockup', () => {
      throw new Error(`${why}: CI must run the Redfish mockup tests`);
    }));
    return;
  }
  if (!told) console.log(`Redfish mockup tests skipped: ${why}`);
  told = true;
  describe.skip(name, body);
}

function freeTcpPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface Mockup {
  port: number;
  pid: number;
  /** The server's folder: its copy of the mockup and its log. */
  state: string;
  /** The server's log so far (request lines and the bodies it received). */
  log(): string;
  stop(): Promise<void>;
}

/** Start the mockup server on a free port, serving `mockupDir` (default: public-rackmount1). */
export async function startRedfishMockup(mockupDir = ''): Promise<Mockup> {
  for (let attempt = 0; ; attempt++) {
    const port = await freeTcpPort();
    const state = mkdtempSync(join(tmpdir(), 'lowpower-redfish-mockup-'));
    try {
      // Through bash, so a checkout that lost the scripts' executable bit still works.
      const { stdout } = await run('bash', [START, String(port), mockupDir, state], { timeout: 20_000 });
      const pid = Number(stdout.trim().split('\n').pop());
      return {
        port,
        pid,
        state,
        log: () => readFileSync(join(state, 'mockup.log'), 'utf8'),
        async stop() {
          await run('bash', [STOP, String(port), state]).catch(() => undefined);
          rmSync(state, { recursive: true, force: true });
        },
      };
    } catch (e) {
      await run('bash', [STOP, String(port), state]).catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
      if (attempt >= 2) throw e;
    }
  }
}

/** A private copy of public-rackmount1 to alter for one test; remove it with rmSync when done. */
export function copyOfRackmount1(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lowpower-rackmount1-')), 'mockup');
  cpSync(RACKMOUNT1, dir, { recursive: true });
  return dir;
}
