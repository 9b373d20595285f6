import autocannon from 'autocannon';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';

/** Throughput and latency of one autocannon run. */
export interface RunResult {
  /** Responses per second over the run. */
  rps: number;
  /** Latency percentiles in milliseconds (autocannon's histogram, whole milliseconds). */
  p50: number;
  p99: number;
  /** Responses by status class, and connection errors or timeouts. */
  ok: number;
  non2xx: number;
  errors: number;
  durationS: number;
}

/** Extra time a run may take beyond its `duration` before it is stopped. */
const GRACE_MS = 30_000;

/**
 * Runs autocannon against 127.0.0.1 (only), bounded by `duration` or `amount` and by a hard
 * time limit.
 */
export function cannon(
  options: autocannon.Options & { maxMs?: number },
): Promise<autocannon.Result> {
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(String(options.url))) {
    throw new Error(`benchmarks only load 127.0.0.1, not ${String(options.url)}`);
  }
  if (options.duration === undefined && options.amount === undefined) {
    throw new Error('a load run needs a duration or an amount');
  }
  const { maxMs, ...autocannonOptions } = options;
  return new Promise((resolve, reject) => {
    const limitMs = maxMs ?? Number(options.duration ?? 60) * 1000 + GRACE_MS;
    const limit: { timer?: NodeJS.Timeout } = {};
    const instance = autocannon(
      { pipelining: 1, timeout: 10, ...autocannonOptions },
      (error: unknown, result: autocannon.Result) => {
        clearTimeout(limit.timer);
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
    limit.timer = setTimeout(() => instance.stop(), limitMs);
  });
}

/** The summary of an autocannon result. */
export function summarise(result: autocannon.Result): RunResult {
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
  };
}

/**
 * A `setupRequest` that gives each request the next of `tokens` as its bearer token, so the
 * load spreads over every session and every connection.
 */
export function bearerRotation(
  tokens: string[],
): (request: autocannon.Request) => autocannon.Request {
  const headers = tokens.map((token) => ({ authorization: `Bearer ${token}` }));
  let next = 0;
  return (request) => {
    // Re-read the array each time: a token may be swapped out while the load runs.
    const index = next++ % tokens.length;
    if (headers[index].authorization !== `Bearer ${tokens[index]}`) {
      headers[index] = { authorization: `Bearer ${tokens[index]}` };
    }
    return { ...request, headers: headers[index] };
  };
}

/** A `setupRequest` that gives each request the next of `cookies` as its Cookie header. */
export function cookieRotation(
  cookies: string[],
): (request: autocannon.Request) => autocannon.Request {
  const headers = cookies.map((cookie) => ({ cookie }));
  let next = 0;
  return (request) => ({ ...request, headers: headers[next++ % headers.length] });
}

/** Latencies of a paced probe, in milliseconds. */
export interface ProbeResult {
  count: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Sends `GET path` every `intervalMs` for `durationMs` (a paced, open-loop probe, unlike
 * autocannon's closed loop), each with the next token, and measures each answer's latency.
 */
export async function probe(
  baseUrl: string,
  path: string,
  tokens: string[],
  intervalMs: number,
  durationMs: number,
): Promise<ProbeResult> {
  const { hostname, port } = new URL(baseUrl);
  if (hostname !== '127.0.0.1') throw new Error('benchmarks only load 127.0.0.1');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const one = (token: string) =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = httpRequest(
        {
          host: hostname,
          port,
          path,
          agent,
          headers: { authorization: `Bearer ${token}` },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - start);
            else failures += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failures += 1;
        resolve();
      });
      req.on('timeout', () => req.destroy());
      req.end();
    });
  const started = performance.now();
  for (let i = 0; performance.now() - started < durationMs; i += 1) {
    const sent = one(tokens[i % tokens.length]);
    inFlight.add(sent);
    void sent.then(() => inFlight.delete(sent));
    // Paced on the clock, so a late tick does not shift every later request.
    const due = started + (i + 1) * intervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    count: latencies.length,
    failures,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}

/** A small JSON request to 127.0.0.1, for checks between runs. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error('benchmarks only call 127.0.0.1');
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** One route of a time-sliced run: its path and how each of its requests is set up. */
export interface SlicedRoute {
  path: string;
  setupRequest: (request: autocannon.Request) => autocannon.Request;
}

/** Responses per second of each route of a time-sliced run, and the answers other than 200. */
export interface SlicedResult {
  rps: number[];
  unexpected: number;
}

/**
 * One autocannon run over several routes in turn, switching every `sliceMs` (all connections at
 * once): slices far shorter than the machine's swings in speed, so that each swing falls on
 * every route alike. A response counts for the route its request was sent to; each route's rate
 * is its responses over the time of its slices. `offset` moves which route goes first.
 */
export async function slicedCannon(
  baseUrl: string,
  routes: SlicedRoute[],
  options: { seconds: number; connections: number; sliceMs: number; offset: number },
): Promise<SlicedResult> {
  const counts = routes.map(() => 0);
  let unexpected = 0;
  const started = performance.now();
  const routeNow = () =>
    (Math.floor((performance.now() - started) / options.sliceMs) + options.offset) % routes.length;
  const result = await cannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request: autocannon.Request, context: object) => {
          const index = routeNow();
          (context as { route?: number }).route = index;
          return { ...routes[index].setupRequest(request), path: routes[index].path };
        },
        onResponse: (status: number, _body: string, context: object) => {
          if (status === 200) counts[(context as { route: number }).route] += 1;
          else unexpected += 1;
        },
      },
    ],
  });
  const share = result.duration / routes.length;
  return { rps: counts.map((count) => count / share), unexpected: unexpected + result.errors };
}
