/** A webhook receiver on loopback that records what it is sent; some paths fail on purpose. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const failures = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body, json: JSON.parse(body || '{}') as Record<string, unknown> });
      // /flaky-N fails its first N deliveries of each delivery id, then accepts.
      const flaky = /^\/flaky-(\d+)/.exec(path);
      if (flaky) {
        const key = `${path}|${String(request.headers['x-irflow-delivery'])}`;
        const seen = (failures.get(key) ?? 0) + 1;
        failures.set(key, seen);
        if (seen <= Number(flaky[1])) return void response.writeHead(500).end();
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
