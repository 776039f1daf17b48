#!/usr/bin/env node
// Bundles the `lowpower` command into dist/lowpower.mjs so it starts in tens of milliseconds
// instead of compiling TypeScript on every run. bin/lowpower.mjs uses the bundle only while it is
// newer than every source file, so an edit is never hidden behind a stale build.
import { build } from 'esbuild';

await build({
  entryPoints: ['lib/cli/main.ts'],
  outfile: 'dist/lowpower.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Our code only: dependencies (the AWS SDK, dynalite and its native parts) load from node_modules.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
