/**
 * Lambda's Invoke API as the functions use it: one signed POST, nothing else. The SDK's Lambda
 * client carries the schemas of the whole service (~76 KB of code in every bundle that starts the
 * worker) for this one call; here it is written against the documented contract instead:
 *   POST /2015-03-31/functions/{FunctionName}/invocations
 *   X-Amz-Invocation-Type: Event (202, no payload back) | RequestResponse (200, the result as payload)
 *   X-Amz-Function-Error on a 200 whose function threw; errors as 4xx/5xx with x-amzn-ErrorType and
 *   a JSON body carrying `message` (or `Message`).
 * Signed with SigV4 (service `lambda`) from the default credential chain, which in Lambda is the
 * function's own environment. The endpoint is `https://lambda.{region}.amazonaws.com`, or
 * AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL as the SDK reads them.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, Provider, SourceData } from '@smithy/types';

export interface InvokeResult {
  /** 202 for an Event invoke, 200 for RequestResponse. */
  status: number;
  /** Set when the function itself failed (`Unhandled`, `Handled`): the payload holds its error. */
  functionError?: string;
  payload: Uint8Array;
}

export interface LambdaInvoker {
  /** `async`: queue it and return at once (Event); otherwise wait for the function's answer. */
  invoke(functionName: string, payload: unknown, o?: { async?: boolean }): Promise<InvokeResult>;
}

export class LambdaInvokeError extends Error {
  constructor(
    readonly functionName: string,
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(`lambda invoke of ${functionName} failed: ${status} ${type}: ${message}`);
  }
}

const bytes = (data: SourceData): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));

/** SHA-256 (HMAC-SHA-256 with a secret) from node:crypto, in the shape SignatureV4 asks for. */
class NodeSha256 implements Checksum {
  private h: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}

function endpointOf(region: string): URL {
  const override = process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL;
  return new URL(override ?? `https://lambda.${region}.amazonaws.com`);
}

export function lambdaInvoker(o: { region?: string; credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity> } = {}): LambdaInvoker {
  const region = o.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  let signer: SignatureV4 | undefined;
  return {
    async invoke(functionName, payload, { async = false } = {}) {
      if (!region) throw new Error('lambda invoke: no region (AWS_REGION is not set)');
      signer ??= new SignatureV4({ service: 'lambda', region, credentials: o.credentials ?? defaultProvider(), sha256: NodeSha256, uriEscapePath: true });
      const base = endpointOf(region);
      const body = Buffer.from(JSON.stringify(payload));
      const path = `${base.pathname.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
      const signed = await signer.sign({
        method: 'POST',
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port ? Number(base.port) : undefined,
        path,
        query: {},
        headers: { host: base.host, 'content-type': 'application/json', 'x-amz-invocation-type': async ? 'Event' : 'RequestResponse' },
        body,
      });
      const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host'));
      const res = await fetch(new URL(path, base), { method: 'POST', headers, body });
      const out = new Uint8Array(await res.arrayBuffer());
      if (res.status >= 300) {
        let message = Buffer.from(out).toString('utf8').slice(0, 300);
        try {
          const parsed = JSON.parse(message) as { message?: string; Message?: string };
          message = parsed.message ?? parsed.Message ?? message;
        } catch {
          // not JSON: the text as it came
        }
        throw new LambdaInvokeError(functionName, res.status, (res.headers.get('x-amzn-errortype') ?? 'Error').split(':')[0], message);
      }
      return { status: res.status, functionError: res.headers.get('x-amz-function-error') ?? undefined, payload: out };
    },
  };
}
