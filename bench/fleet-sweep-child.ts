/**
 * The fleet bench's cold process: one sweep of the inventory with the SDR cache in the store, as a
 * cold Lambda runs it. fleet-bench.ts bundles this file as serverless.yml bundles the functions
 * (esbuild, minified, the AWS SDK inside, no keepNames) and runs the bundle in a fresh node
 * process; the figures go to stdout as one JSON line.
 *
 *   node sweep-child.mjs INVENTORY ENDPOINT TABLE
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readInventory, sweepFleet } from '../lib/fleet/index.ts';
import { createStore } from '../lib/store/index.ts';

const [inventory, endpoint, table] = process.argv.slice(2);
const raw = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 3 });
const store = createStore({ client: DynamoDBDocumentClient.from(raw), tableName: table });
const hosts = readInventory(inventory);
// Timed from here: the modules are loaded, as a Lambda's are before its handler runs.
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = await sweepFleet(hosts, { cipherSuite: 3, concurrency: 128, sdrCache: store.sdrCache });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
raw.destroy();
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, ok: r.ok, failed: r.failed }));
