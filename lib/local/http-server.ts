/**
 * The local HTTP server: node:http on 127.0.0.1 in front of the same API router the Lambda uses.
 * Locally every caller is the machine's operator: role admin, actor from `X-Actor` or `local-api`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { handleApiRequest, type ApiContext, type ApiResponse } from '../api/router.ts';

const MAX_BODY = 64 * 1024;

async function readBody(req: IncomingMessage): Promise<{ body?: unknown; error?: ApiResponse }> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return { error: { status: 413, body: { error: { code: 'too_large', message: 'request body over 64 KiB' } } } };
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { error: { status: 400, body: { error: { code: 'bad_json', message: 'the body is not valid JSON' } } } };
  }
}

export function startHttpServer(ctx: ApiContext, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const read = await readBody(req);
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const out =
        read.error ??
        (await handleApiRequest(ctx, {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body: read.body,
          actor: headers['x-actor'] ?? 'local-api',
          role: 'admin',
        }));
      const text = JSON.stringify(out.body);
      res.writeHead(out.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
