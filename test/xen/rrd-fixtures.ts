/** The hand-written RRD exports of test/xen/fixtures (one export in xapi's three forms) and the objects in them. */
import { readFileSync } from 'node:fs';

export const HOST = '6f2c9a1e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
export const VM_A = '0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
/** One vCPU, no memory_target and no memory_internal_free (no guest agent). */
export const VM_B = 'b7a6c5d4-e3f2-4a1b-8c9d-e0f1a2b3c4d5';

export type FixtureName = 'rrd-updates.xml' | 'rrd-updates.json' | 'rrd-updates-legacy.json';

export function fixture(name: FixtureName): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}
