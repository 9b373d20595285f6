import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';

import type { EmulatorFault, EmulatorRequest } from '../emulator.types.js';
import type { FaultQueue } from './fault-queue.js';
import { newSid } from './sid.util.js';
import { endpointOf, type Reply, type TwilioRouter } from './twilio-router.js';
import { internalError, TwilioApiError, unauthorized } from './twilio-api.error.js';
import type { VerifyParams } from './verify-params.js';
import { errorJson } from './wire-format.js';

/** Settings of an {@link EmulatorHttpServer}. */
export interface EmulatorHttpServerOptions {
  /** Basic auth user name the client must send. */
  accountSid: string;
  /** Basic auth password the client must send. */
  authToken: string;
  /** Interface to listen on. */
  host: string;
  /** TCP port; 0 for any free port. */
  port: number;
  /** Answers the requests. */
  router: TwilioRouter;
  /** Faults to play before answering. */
  faults: FaultQueue;
  /** The clock requests are logged on, epoch milliseconds. */
  now: () => number;
}

/**
 * The emulator's HTTP side: listens, reads the form body or query string, checks Basic auth, logs
 * each authenticated request, plays the fault that applies to it, and writes the router's answer
 * (or its refusal) as Twilio's JSON.
 */
export class EmulatorHttpServer {
  private readonly options: EmulatorHttpServerOptions;
  private server?: Server;
  private boundPort?: number;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requestLog: EmulatorRequest[] = [];

  constructor(options: EmulatorHttpServerOptions) {
    this.options = options;
  }

  /** The base URL while listening, e.g. `http://127.0.0.1:40123`; `undefined` otherwise. */
  get baseUrl(): string | undefined {
    if (this.boundPort === undefined) return undefined;
    const host = this.options.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** Starts listening (once); resolves when {@link baseUrl} is usable. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('connection', (socket) => this.track(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes every open connection, delayed and hanging requests included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** Every authenticated request received so far, oldest first, as copies. */
  requests(): EmulatorRequest[] {
    return this.requestLog.map((request) => ({
      ...request,
      params: { ...request.params },
      at: new Date(request.at),
    }));
  }

  /** Forgets the requests received. */
  clearRequests(): void {
    this.requestLog.length = 0;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => req.socket.destroy());
    req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!this.isAuthorized(req.headers.authorization)) {
      writeError(res, unauthorized());
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const params = formParams(method === 'POST' ? body : url.search);
    this.requestLog.push({ method, path: url.pathname, params, at: new Date(this.options.now()) });

    const answer = () => this.answer(res, method, url.pathname, params);
    const fault = this.options.faults.take(endpointOf(url.pathname));
    if (fault) this.play(fault, req, res, answer);
    else answer();
  }

  private isAuthorized(header: string | undefined): boolean {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared, each in constant time, as a real API compares secrets.
    const sid = sameSecret(decoded.slice(0, colon), this.options.accountSid);
    const token = sameSecret(decoded.slice(colon + 1), this.options.authToken);
    return sid && token;
  }

  private answer(res: ServerResponse, method: string, path: string, params: VerifyParams): void {
    let reply: Reply;
    try {
      reply = this.options.router.route(method, path, params);
    } catch (error) {
      writeError(res, error instanceof TwilioApiError ? error : internalError(error));
      return;
    }
    writeJson(res, reply.status, reply.body);
  }

  private play(
    fault: EmulatorFault,
    req: IncomingMessage,
    res: ServerResponse,
    answer: () => void,
  ): void {
    switch (fault.kind) {
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          answer();
        }, fault.ms);
        this.timers.add(timer);
        return;
      }
      case 'status':
        writeError(
          res,
          new TwilioApiError(
            fault.status,
            fault.code ?? 20000 + fault.status,
            fault.message ?? STATUS_CODES[fault.status] ?? 'Error',
          ),
        );
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
    }
  }
}

/** The parameters of a form body or query string, by name (the last of a repeated one wins). */
function formParams(encoded: string): VerifyParams {
  return Object.fromEntries(new URLSearchParams(encoded));
}

function writeError(res: ServerResponse, error: TwilioApiError): void {
  writeJson(res, error.status, errorJson(error));
}

function writeJson(res: ServerResponse, status: number, body: object): void {
  if (res.destroyed || res.headersSent) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Twilio-Request-Id': newSid('RQ'),
  });
  res.end(json);
}

/** Whether two strings are equal, compared in constant time (of their SHA-256, so any length). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
