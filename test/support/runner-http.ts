/** JSON calls to a local runner's HTTP API, and waiting for an operation it started to end. */
export type Json = Record<string, unknown>;

export interface RunnerHttp {
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
  /** The operation once it has succeeded, failed or been cancelled (polled every 100 ms, at most a minute). */
  finished(id: string): Promise<Json>;
}

/** `url` is read at each call: the runner may start after this is made. */
export function runnerHttp(url: () => string): RunnerHttp {
  const api: RunnerHttp['api'] = async (method, path, body) => {
    const res = await fetch(`${url()}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Json };
  };
  return {
    api,
    async finished(id) {
      for (let i = 0; i < 600; i++) {
        const op = (await api('GET', `/v1/operations/${id}`)).json.operation as Json;
        if (op.state === 'succeeded' || op.state === 'failed' || op.state === 'cancelled') return op;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`operation ${id} did not finish`);
    },
  };
}
