import { type ChildProcess, fork } from 'node:child_process';
import type {
  BenchAppConfig,
  CommandMap,
  CommandName,
  ReadyMessage,
  ReplyMessage,
} from './protocol.js';

/** How long the app may take to start (PostgreSQL schema sync included). */
const START_TIMEOUT_MS = 60_000;
/** How long one command may take (growing the tables to a million rows included). */
const COMMAND_TIMEOUT_MS = 15 * 60_000;

/** A bench app running in a child process, and its command channel. */
export class BenchAppProcess {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }
  >();

  private constructor(
    private readonly child: ChildProcess,
    /** Base URL of the app, e.g. `http://127.0.0.1:40123`. */
    readonly url: string,
    readonly config: BenchAppConfig,
  ) {
    child.on('message', (message: ReplyMessage) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(`bench app: ${message.error}`));
    });
    child.on('exit', (code) => {
      for (const waiting of this.pending.values()) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`bench app exited (${code})`));
      }
      this.pending.clear();
    });
  }

  /** Starts an app; resolves once it listens on 127.0.0.1. */
  static async start(config: BenchAppConfig): Promise<BenchAppProcess> {
    const child = fork(new URL('./server.js', import.meta.url), [JSON.stringify(config)], {
      // BENCH_APP_NODE_ARGS adds node options to the app, e.g. `--cpu-prof` to profile it.
      execArgv: [
        '--expose-gc',
        ...(process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error('bench app did not start in time'));
      }, START_TIMEOUT_MS);
      child.once('message', (message: ReadyMessage) => {
        clearTimeout(timer);
        resolve(message.port);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`bench app exited while starting (${code})`));
      });
    });
    return new BenchAppProcess(child, `http://127.0.0.1:${port}`, config);
  }

  /** The app's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs a command in the app. */
  command<N extends CommandName>(
    command: N,
    args: CommandMap[N]['args'],
  ): Promise<CommandMap[N]['reply']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`bench app: ${command} timed out`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      this.child.send({ id, command, args });
    });
  }

  /** Closes the app and waits for its process to end. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.command('stop', {}).catch(() => this.child.kill());
    await exited;
    clearTimeout(kill);
  }
}
