/**
 * The functions' Lambda Invoke client against the documented contract (a loopback endpoint):
 * the path and invocation type, a SigV4 signature for `lambda` in the region, the function's own
 * failure told apart from Lambda's refusal, and Lambda's errors as clear messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaInvoker, LambdaInvokeError } from '../../lib/aws/lambda-invoke.ts';
import { startFakeLambda, type FakeLambda } from '../support/fake-lambda.ts';

let fake: FakeLambda;
const saved = process.env.AWS_ENDPOINT_URL_LAMBDA;
beforeAll(async () => {
  fake = await startFakeLambda();
  process.env.AWS_ENDPOINT_URL_LAMBDA = fake.endpoint;
  fake.answer('echo', async (p) => ({ got: p }));
  fake.answer('broken', async () => {
    throw new Error('boom');
  });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
  else process.env.AWS_ENDPOINT_URL_LAMBDA = saved;
  await fake.stop();
});

const invoker = () => lambdaInvoker({ region: 'eu-west-3', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' } });

describe('lambdaInvoker', () => {
  it('Event: 202, queued, signed for lambda in the region; the secret key never leaves', async () => {
    const out = await invoker().invoke('lowpower-dev-worker', { operationId: 'op-1' }, { async: true });
    expect(out.status).toBe(202);
    const last = fake.invokes.at(-1);
    expect(last).toMatchObject({ functionName: 'lowpower-dev-worker', invocationType: 'Event', payload: '{"operationId":"op-1"}' });
    expect(last?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/lambda\/aws4_request, SignedHeaders=\S*x-amz-date\S*, Signature=[0-9a-f]{64}$/);
    expect(JSON.stringify(fake.invokes)).not.toContain('not-a-real-secret');
  });

  it('RequestResponse: the function answer as payload; a function that threw is marked, not thrown', async () => {
    const out = await invoker().invoke('echo', { a: 1 });
    expect(out.status).toBe(200);
    expect(JSON.parse(Buffer.from(out.payload).toString())).toEqual({ got: { a: 1 } });
    const broken = await invoker().invoke('broken', {});
    expect(broken.functionError).toBe('Unhandled');
    expect(Buffer.from(broken.payload).toString()).toContain('boom');
  });

  it("Lambda's refusal is a LambdaInvokeError naming the function, status, type and message", async () => {
    const e = await invoker().invoke('no-such-function', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LambdaInvokeError);
    expect((e as Error).message).toBe('lambda invoke of no-such-function failed: 404 ResourceNotFoundException: Function not found: no-such-function');
  });

  it('no region: a clear error before anything is sent', async () => {
    const before = fake.invokes.length;
    const region = process.env.AWS_REGION;
    const def = process.env.AWS_DEFAULT_REGION;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(lambdaInvoker({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }).invoke('x', {})).rejects.toThrow(/no region/);
    } finally {
      if (region !== undefined) process.env.AWS_REGION = region;
      if (def !== undefined) process.env.AWS_DEFAULT_REGION = def;
    }
    expect(fake.invokes.length).toBe(before);
  });
});
