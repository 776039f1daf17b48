/**
 * Packaging helpers shared by test/deploy/template.test.ts and bench/functions-bench.ts: run
 * `osls package` exactly as `npm run package` does (offline, no AWS credentials), read the
 * CloudFormation template it writes, unzip each function's artifact where Node can resolve the
 * AWS SDK it leaves out, and time a cold import of a handler in a fresh Node process.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extractEntry, listZip } from './zip.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVERLESS_DIR = join(REPO, '.serverless');
export const STAGE = 'ci';
export const REGION = 'eu-central-1';
export const SERVICE = 'lowpower';
export const FUNCTIONS = ['http', 'slack', 'scheduled', 'worker'] as const;
export type FunctionKey = (typeof FUNCTIONS)[number];
/** The same arguments as the `package` script in package.json. */
export const PACKAGE_ARGS = ['package', '--stage', STAGE, '--region', REGION];

/**
 * Environment for packaging. osls needs no credentials to package; these only make sure that,
 * should anything ever try to reach AWS, it fails at once instead of waiting on instance metadata.
 */
export function offlineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: REGION, FORCE_COLOR: '0', NO_COLOR: '1' };
}

export interface PackageRun {
  ms: number;
  output: string;
}

export interface PackageOptions {
  /** The osls arguments (default PACKAGE_ARGS, as `npm run package`). */
  args?: string[];
  /** The service folder (default the repository; see serviceCopy). */
  cwd?: string;
}

/**
 * Runs `osls package --stage ci --region eu-central-1` (or `o.args`) in the repository (or `o.cwd`);
 * rejects on a non-zero exit.
 */
export function runPackage(timeoutMs = 120_000, o: PackageOptions = {}): Promise<PackageRun> {
  const started = performance.now();
  const args = o.args ?? PACKAGE_ARGS;
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'node_modules/osls/bin/serverless.js'), ...args], {
      cwd: o.cwd ?? REPO,
      env: offlineEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) ok({ ms, output });
      else fail(new Error(`osls ${args.join(' ')} failed (${signal ?? `exit ${code}`}) after ${Math.round(ms)} ms:\n${output}`));
    });
  });
}

/**
 * A copy of the service (serverless.yml, infra, functions, lib, package.json, tsconfig.json) in a
 * temporary folder, with the repository's node_modules linked in: a second `osls package` there
 * (another stage, other parameters) cannot overwrite the .serverless/ that another test file is
 * reading. Returns the folder.
 */
export function serviceCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lowpower-service-'));
  for (const f of ['serverless.yml', 'package.json', 'tsconfig.json', 'infra', 'functions', 'lib']) cpSync(join(REPO, f), join(dir, f), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

// ---- the template ----

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface Resource {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, any>;
}

export function readTemplate(serverlessDir = SERVERLESS_DIR): Template {
  return JSON.parse(readFileSync(join(serverlessDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

/** Logical id osls gives a function's resources: `worker` -> `Worker`. */
export const logicalPrefix = (fn: FunctionKey): string => fn.charAt(0).toUpperCase() + fn.slice(1);
export const functionName = (fn: FunctionKey): string => `${SERVICE}-${STAGE}-${fn}`;
/** The unqualified ARN of a function as the template spells it (a Sub, no Ref: no dependency cycle). */
export const functionArnSub = (fn: FunctionKey): Json => ({
  'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${functionName(fn)}`,
});

// ---- artifacts ----

export function zipPath(fn: FunctionKey): string {
  return join(SERVERLESS_DIR, `${fn}.zip`);
}

export function zipSize(fn: FunctionKey): number {
  return statSync(zipPath(fn)).size;
}

export interface Unzipped {
  dir: string;
  files: { name: string; size: number }[];
  /** Absolute path of the handler module (functions/<fn>.mjs). */
  handlerPath: string;
  handlerSize: number;
}

/**
 * Unzips a function's artifact into .serverless/unzipped/<fn>/ (gitignored, cleared by the next
 * package run). Inside the repository, Node's ESM resolution walks up to the repository's
 * node_modules for the `@aws-sdk/*` imports the bundle leaves to the Lambda runtime (NODE_PATH
 * does not apply to ES modules).
 */
export function unzipFunction(fn: FunctionKey, zipFile = zipPath(fn), dir = join(SERVERLESS_DIR, 'unzipped', fn)): Unzipped {
  const buf = readFileSync(zipFile);
  rmSync(dir, { recursive: true, force: true });
  const files: { name: string; size: number }[] = [];
  for (const e of listZip(buf)) {
    files.push({ name: e.name, size: e.size });
    if (e.name.endsWith('/')) continue;
    const target = join(dir, e.name);
    if (!target.startsWith(dir + '/')) throw new Error(`zip entry escapes its folder: ${e.name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, extractEntry(buf, e));
  }
  const handlerPath = join(dir, 'functions', `${fn}.mjs`);
  const handlerSize = files.find((f) => f.name === `functions/${fn}.mjs`)?.size ?? -1;
  return { dir, files, handlerPath, handlerSize };
}

/** Fake values for the intrinsic functions in a function's environment. */
export function lambdaEnv(template: Template, fn: FunctionKey): Record<string, string> {
  const vars = (template.Resources[`${logicalPrefix(fn)}LambdaFunction`]?.Properties?.Environment?.Variables ?? {}) as Record<string, Json>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && 'Ref' in v) out[k] = v.Ref === 'LowpowerTable' ? `${SERVICE}-${STAGE}` : `arn:aws:secretsmanager:${REGION}:123456789012:secret:${SERVICE}/${STAGE}/slack-signing-secret-AbCdEf`;
    else if (v && typeof v === 'object' && 'Fn::Sub' in v) {
      out[k] = String(v['Fn::Sub']).replace('${AWS::Partition}', 'aws').replace('${AWS::Region}', REGION).replace('${AWS::AccountId}', '123456789012');
    } else out[k] = `arn:aws:iam::123456789012:role/${k.toLowerCase()}`;
  }
  return out;
}

export interface ImportProbe {
  ms: number;
  /** CPU time of the process during the import (user + system, every thread): steadier than ms on a busy machine. */
  cpuMs: number;
  handlerType: string;
}

/**
 * A cold-started handler's environment: the function's own (fake ARNs) plus Lambda's usual
 * variables, with fake credentials and every AWS endpoint at a closed loopback port unless `env`
 * names another (AWS_ENDPOINT_URL_<SERVICE> wins over AWS_ENDPOINT_URL).
 */
export function probeEnv(env: Record<string, string>, fn: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...env,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: functionName(fn as FunctionKey),
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_ACCESS_KEY_ID: 'ASIAOFFLINEPROBE0000',
    AWS_SECRET_ACCESS_KEY: 'offline-probe-not-a-secret',
    AWS_SESSION_TOKEN: 'offline',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  };
}

const PROBE = [
  // An optional module imported first, untimed (e.g. the SDK only, to time our bundle alone).
  'if (process.argv[2]) await import(process.argv[2]);',
  'const c0 = process.cpuUsage();',
  'const t0 = performance.now();',
  'const m = await import(process.argv[1]);',
  'const ms = performance.now() - t0;',
  'const c = process.cpuUsage(c0);',
  'console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, handlerType: typeof m.handler }));',
  // Handles a handler module may open at import (SDK agents, timers) must not keep us waiting.
  'process.exit(0);',
].join('\n');

/**
 * Imports a handler module in a fresh Node process (a cold start of the module graph: the bundle
 * plus the AWS SDK packages it imports) and reports the time the import took and what `handler` is.
 * The environment is the function's own (fake ARNs) plus Lambda's usual variables; AWS endpoints
 * point at a closed loopback port so that I/O at import time fails fast instead of hanging.
 */
export async function probeImport(handlerPath: string, env: Record<string, string>, fn: string, timeoutMs = 30_000, preload?: string): Promise<ImportProbe> {
  const out = await runProbe(PROBE, handlerPath, preload ? [pathToFileURL(preload).href] : [], probeEnv(env, fn), timeoutMs, 'import');
  const line = out.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`import of ${handlerPath} printed no result:\n${out}`);
  return JSON.parse(line) as ImportProbe;
}

/**
 * Runs `script` (an ES module given with -e) in a fresh Node process beside the handler, with the
 * handler's URL and `extraArgs` as its arguments; resolves with its stdout when it exits 0 within
 * `timeoutMs`, else rejects with its stderr.
 */
export function runProbe(script: string, handlerPath: string, extraArgs: string[], env: Record<string, string>, timeoutMs: number, what: string): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(handlerPath).href, ...extraArgs], {
      cwd: dirname(handlerPath),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) ok(out);
      else fail(new Error(`${what} of ${handlerPath} failed (${signal ?? `exit ${code}`}):\n${err || out}`));
    });
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One module of a split bundle: its file, and how the entry reaches it (statically or on first use). */
export interface BundleModule {
  path: string;
  bytes: number;
  /** Reached from the entry by static imports alone: compiled at every cold start. */
  static: boolean;
}

/**
 * The module graph of a handler bundle split into chunks: every chunk the entry reaches (by static
 * import, or by dynamic import: loaded on first use), and what the graph imports from outside its
 * own files (Node built-ins, packages), with the kind of import.
 */
export async function bundleGraph(bundlePath: string): Promise<{ modules: BundleModule[]; externals: { path: string; kind: string }[] }> {
  const { build } = await import('esbuild');
  const modules = new Map<string, BundleModule>();
  const out = new Map<string, { path: string; kind: string }>();
  const queue: { path: string; isStatic: boolean }[] = [{ path: bundlePath, isStatic: true }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const known = modules.get(next.path);
    if (known && (known.static || !next.isStatic)) continue;
    modules.set(next.path, { path: next.path, bytes: statSync(next.path).size, static: next.isStatic });
    const r = await build({ entryPoints: [next.path], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', external: ['*'], logLevel: 'silent' });
    for (const o of Object.values(r.metafile.outputs)) {
      for (const i of o.imports) {
        if (!i.external) continue;
        if (i.path.startsWith('./') || i.path.startsWith('../')) queue.push({ path: join(dirname(next.path), i.path), isStatic: next.isStatic && i.kind === 'import-statement' });
        else out.set(`${i.kind} ${i.path}`, { path: i.path, kind: i.kind });
      }
    }
  }
  return {
    modules: [...modules.values()].sort((a, b) => a.path.localeCompare(b.path)),
    externals: [...out.values()].sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind)),
  };
}

/** What a handler bundle (with its chunks) imports from outside its own files, with the kind of import. */
export async function externalImportKinds(bundlePath: string): Promise<{ path: string; kind: string }[]> {
  return (await bundleGraph(bundlePath)).externals;
}
