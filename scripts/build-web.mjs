#!/usr/bin/env node
// Bundles the dashboard (web/) into dist/web/: index.html, app.js (one ES module, minified) and
// app.css (minified), then prints each file's size and gzipped size. `--watch` rebuilds on change;
// `--sourcemap` adds app.js.map for debugging. Used by `npm start` / the tests before serving.
import { build, context } from 'esbuild';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** esbuild options for the dashboard. */
function options(outdir, sourcemap) {
  return {
    absWorkingDir: REPO,
    entryPoints: { app: 'web/src/main.ts', 'app-css': 'web/app.css' },
    entryNames: '[name]',
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16'],
    sourcemap: sourcemap ? 'linked' : false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    // Everything the page loads comes from its own origin: nothing is left as an external import.
    external: [],
  };
}

async function finish(outdir) {
  // esbuild names the CSS entry after its key; the page asks for app.css.
  const css = await readFile(join(outdir, 'app-css.css'));
  await writeFile(join(outdir, 'app.css'), css);
  const { rm } = await import('node:fs/promises');
  await rm(join(outdir, 'app-css.css'), { force: true });
  const html = (await readFile(join(REPO, 'web/index.html'), 'utf8')).replace(/\n\s*/g, '\n');
  await writeFile(join(outdir, 'index.html'), html);
}

/** Build once; returns the sizes of the three files (bytes, raw and gzipped). */
export async function buildWeb({ outdir = join(REPO, 'dist/web'), sourcemap = false, quiet = false } = {}) {
  await mkdir(outdir, { recursive: true });
  await build(options(outdir, sourcemap));
  await finish(outdir);
  const sizes = {};
  for (const f of ['index.html', 'app.js', 'app.css']) {
    const body = await readFile(join(outdir, f));
    sizes[f] = { bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  }
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
    let raw = 0;
    let gz = 0;
    for (const [f, s] of Object.entries(sizes)) {
      raw += s.bytes;
      gz += s.gzip;
      console.log(`  ${join(outdir, f).replace(`${REPO}/`, '').padEnd(22)} ${kb(s.bytes).padStart(10)}  ${kb(s.gzip).padStart(9)} gzipped`);
    }
    console.log(`  ${'total'.padEnd(22)} ${kb(raw).padStart(10)}  ${kb(gz).padStart(9)} gzipped`);
  }
  return sizes;
}

async function watch(outdir) {
  const ctx = await context({
    ...options(outdir, true),
    plugins: [
      {
        name: 'finish',
        setup(b) {
          b.onEnd(async (r) => {
            if (r.errors.length === 0) {
              await finish(outdir);
              console.log(`${new Date().toISOString().slice(11, 19)} dashboard rebuilt`);
            }
          });
        },
      },
    ],
  });
  await mkdir(outdir, { recursive: true });
  await ctx.watch();
  console.log('watching web/ (Ctrl-C to stop)');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--outdir');
  const outdir = outIdx >= 0 ? resolve(args[outIdx + 1]) : join(REPO, 'dist/web');
  if (args.includes('--watch')) await watch(outdir);
  else {
    await buildWeb({ outdir, sourcemap: args.includes('--sourcemap') });
    await stat(join(outdir, 'index.html'));
  }
}
