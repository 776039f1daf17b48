/**
 * Lambda's Invoke endpoint as its API reference documents it, on loopback, for the functions'
 * tests (Lambda itself cannot run here): POST /2015-03-31/functions/{name}/invocations with
 * X-Amz-Invocation-Type, SigV4-signed for service `lambda`. Every call is recorded; a function
 * with an answer runs it (RequestResponse: 200 and the payload), the rest are queued (Event: 202).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedInvoke {
  functionName: string;
  invocationType: string;
  payload: string;
  authorization: string;
}

export interface FakeLambda {
  endpoint: string;
  invokes: RecordedInvoke[];
  answer(functionName: string, run: (payload: unknown) => Promise<unknown>): void;
  stop(): Promise<void>;
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startFakeLambda(): Promise<FakeLambda> {
  const answers = new Map<string, (payload: unknown) => Promise<unknown>>();
  const invokes: RecordedInvoke[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = PATH.exec(req.url ?? '');
      const fail = (status: number, type: string, message: string): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ Type: 'User', message }));
      };
      if (req.method !== 'POST' || !m) return fail(404, 'UnknownOperationException', `no such operation: ${req.method} ${req.url}`);
      const auth = String(req.headers.authorization ?? '');
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/lambda\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(auth)) return fail(403, 'InvalidSignatureException', 'the request is not SigV4-signed for lambda');
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      const functionName = decodeURIComponent(m[1]);
      const payload = Buffer.concat(chunks).toString('utf8');
      invokes.push({ functionName, invocationType: type, payload, authorization: auth });
      const run = answers.get(functionName);
      if (type === 'Event') return void res.writeHead(202).end();
      if (!run) return fail(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
      run(JSON.parse(payload)).then(
        (out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out)),
        (e: unknown) => res.writeHead(200, { 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorMessage: String(e) })),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invokes,
    answer: (name, run) => void answers.set(name, run),
    stop: () => new Promise((ok) => server.close(() => ok())),
  };
}
