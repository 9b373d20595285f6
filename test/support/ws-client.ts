import { WebSocket } from 'ws';

/** A frame of Nest's `ws` adapter: `{ event, data }`. */
export interface Frame {
  event: string;
  data: unknown;
}

/** A `ws` client that queues the frames it receives, and how its connection ended. */
export class WsClient {
  private readonly frames: Frame[] = [];
  private readonly waiting: Array<(frame: Frame) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const next = this.waiting.shift();
      if (next) next(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens a connection; resolves once the handshake is done. */
  static open(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const client = new WsClient(new WebSocket(url, { headers }));
    return new Promise((resolve, reject) => {
      client.socket.once('open', () => resolve(client));
      client.socket.once('error', reject);
    });
  }

  /** Sends a message and resolves with the next frame received. */
  request(event: string, data: unknown = {}): Promise<Frame> {
    const frame = new Promise<Frame>((resolve) => {
      const queued = this.frames.shift();
      if (queued) resolve(queued);
      else this.waiting.push(resolve);
    });
    this.socket.send(JSON.stringify({ event, data }));
    return frame;
  }

  close(): void {
    this.socket.close();
  }
}
