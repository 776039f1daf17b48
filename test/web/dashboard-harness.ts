/**
 * Browser-test harness for the dashboard: build dist/web with scripts/build-web.mjs, start the
 * local runner in process with the built files served beside the API, launch Debian's chromium
 * through playwright-core, and open pages with a role's key.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLocalRunner, type LocalRunner, type LocalRunnerOptions } from '../../lib/local/runner.ts';
import { dashboardHandler } from '../../lib/local/static-files.ts';
import { freePort, REPO } from '../support/peers.ts';

const run = promisify(execFile);

export const DIST = join(REPO, 'dist/web');
export const ARTIFACTS = join(REPO, 'test/artifacts');
export const CHROMIUM = process.env.LOWPOWER_CHROMIUM ?? '/usr/bin/chromium';

export type RoleName = 'viewer' | 'operator' | 'admin';

export interface Dashboard {
  runner: LocalRunner;
  browser: Browser;
  url: string;
  keys: Record<RoleName, string>;
  /** A fresh browser context (own storage) with the page open at `hash`, as `role`. */
  open(role: RoleName | undefined, hash?: string, o?: { viewport?: { width: number; height: number } }): Promise<{ page: Page; context: BrowserContext; errors: string[] }>;
  stop(): Promise<void>;
}

/** Build the dashboard as CI does; returns the build's printed size table. */
export async function buildDashboard(): Promise<string> {
  const { stdout } = await run(process.execPath, [join(REPO, 'scripts/build-web.mjs'), '--outdir', DIST], { cwd: REPO, timeout: 60_000 });
  return stdout;
}

/** `runner`: options of the local runner beyond the defaults (a faster simulated migration, say). */
export async function startDashboard(runnerOptions: Partial<LocalRunnerOptions> = {}): Promise<Dashboard> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildDashboard();
  const runner = await startLocalRunner({ port: 0, bmcBasePort: (await freePort()) - 10, log: () => {}, ...runnerOptions, extra: [dashboardHandler(DIST)] });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  } catch (e) {
    await runner.stop();
    throw e;
  }
  const keys = runner.apiKeys as Record<RoleName, string>;
  const contexts: BrowserContext[] = [];
  return {
    runner,
    browser,
    url: runner.url,
    keys,
    async open(role, hash = '#/fleet', o = {}) {
      const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 900 }, reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        // Chromium logs every non-2xx fetch; the refusals the tests provoke are expected.
        if (m.type() === 'error' && !/Failed to load resource: .* status of 409/.test(m.text())) errors.push(`console: ${m.text()}`);
      });
      // Loopback only: the page may reach nothing but its own origin.
      await context.route(/.*/, (route) => (route.request().url().startsWith(runner.url) ? route.continue() : route.abort()));
      const sep = hash.includes('?') ? '&' : '?';
      const target = role ? `${runner.url}/${hash}${hash === '#' ? 'key=' : `${sep}key=`}${encodeURIComponent(keys[role])}` : `${runner.url}/${hash}`;
      await page.goto(target);
      return { page, context, errors };
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await runner.stop();
    },
  };
}

/** GET a /v1 path as admin, for comparing what the page shows with what the API says. */
export async function apiGet<T>(d: Pick<Dashboard, 'url' | 'keys'>, path: string): Promise<T> {
  const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${d.keys.admin}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Answer the page's first request matching `url` with a 503 as a Lambda timeout would, and pass
 * later ones to the server. Returns how many matching requests the page has made so far.
 */
export async function failFirstWith503(page: Page, url: RegExp, message: string): Promise<() => number> {
  let seen = 0;
  await page.route(url, (route) => {
    if (seen++ > 0) return route.fallback();
    return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message } }) });
  });
  return () => seen;
}
