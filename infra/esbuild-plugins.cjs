// esbuild plugins for serverless-esbuild (serverless.yml: custom.esbuild.plugins).
//
// With code splitting on, a function's bundle is its entry file plus chunks, some imported on first
// use (the BMC clients: lib/ops/lazy-driver.ts). serverless-esbuild builds every function into the
// same folder and puts every file of it into every zip. This plugin gives each function's build a
// folder of its own, `__only_<function>/functions/`: serverless-esbuild zips a `__only_<name>/`
// folder into that function's zip alone, at `functions/` (the prefix dropped), so each zip holds
// its own entry and chunks and nothing of another function's.
//
// esbuild also writes a chunk for an `import()` that sits in code tree shaking dropped (a route
// module a function reaches through a folder's index but never runs): no module imports it. The
// plugin deletes every output the entry does not reach, so a zip carries no dead chunk.
//
// A second plugin gives @middy/core a ReadableStream that does not load Node's web streams at the
// cold start (stream-web-on-use.mjs says why).
'use strict';
const { rmSync } = require('node:fs');
const { basename, dirname, extname, join, resolve } = require('node:path');

/** The outputs the entry reaches through static and dynamic imports (metafile paths). */
function reached(outputs) {
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint);
  const seen = new Set(entry ? [entry] : []);
  const queue = [...seen];
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const i of outputs[next].imports) {
      if (i.external || seen.has(i.path) || !outputs[i.path]) continue;
      seen.add(i.path);
      queue.push(i.path);
    }
  }
  return seen;
}

module.exports = [
  {
    // @middy/core's node:stream/web import, for streamed responses only: see stream-web-on-use.mjs.
    name: 'lowpower-stream-web-on-use',
    setup(build) {
      build.onResolve({ filter: /^node:stream\/web$/ }, (args) => {
        if (!/[\\/]node_modules[\\/]@middy[\\/]core[\\/]/.test(args.importer)) return undefined;
        return { path: resolve(__dirname, 'stream-web-on-use.mjs') };
      });
    },
  },
  {
    name: 'lowpower-chunks-per-function',
    setup(build) {
      const o = build.initialOptions;
      if (!o.splitting) return;
      const entries = Array.isArray(o.entryPoints) ? o.entryPoints : [];
      if (entries.length !== 1 || typeof entries[0] !== 'string' || typeof o.outdir !== 'string') {
        throw new Error('lowpower-chunks-per-function: expected one entry point and an outdir per build');
      }
      const entry = entries[0];
      const sub = dirname(entry);
      if (!o.outdir.endsWith(sub)) throw new Error(`lowpower-chunks-per-function: outdir ${o.outdir} does not end with ${sub}`);
      const buildDir = o.outdir.slice(0, o.outdir.length - sub.length);
      o.outdir = join(buildDir, `__only_${basename(entry, extname(entry))}`, sub);
      o.metafile = true;
      build.onEnd((result) => {
        if (result.errors.length || !result.metafile) return;
        const keep = reached(result.metafile.outputs);
        const cwd = o.absWorkingDir || process.cwd();
        for (const out of Object.keys(result.metafile.outputs)) {
          if (out.endsWith('.map') || keep.has(out)) continue;
          rmSync(resolve(cwd, out), { force: true });
          rmSync(resolve(cwd, `${out}.map`), { force: true });
        }
      });
    },
  },
];
