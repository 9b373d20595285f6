import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** The longest shutdown waits for work still running in the background. */
export const BACKGROUND_SHUTDOWN_WAIT_MS = 10_000;

/**
 * Work a request starts without waiting for it (a password-reset code sent after the answer, so
 * that the answer says nothing about the email). Each task is kept until it settles, a failure is
 * logged by its label and error code only, and the application's shutdown waits for the tasks
 * still running (at most `BACKGROUND_SHUTDOWN_WAIT_MS`) before the database closes.
 */
@Injectable()
export class BackgroundTasksService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OtpModule');
  private readonly running = new Set<Promise<void>>();

  /** How many tasks are running. */
  get size(): number {
    return this.running.size;
  }

  /** Runs `task` in the background; a failure is logged as `<label> failed: <code>`. */
  run(label: string, task: () => Promise<unknown>): void {
    const settled = Promise.resolve()
      .then(task)
      .then(
        () => undefined,
        (error: unknown) => {
          const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
          const reason =
            typeof code === 'string' ? code : typeof name === 'string' ? name : 'error';
          this.logger.warn(`${label} failed: ${reason}`);
        },
      )
      .finally(() => this.running.delete(settled));
    this.running.add(settled);
  }

  /** Resolves when every task running now has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), BACKGROUND_SHUTDOWN_WAIT_MS);
    });
    const outcome = await Promise.race([this.drain(), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.logger.warn(`Shutting down with ${this.running.size} background task(s) unfinished`);
    }
  }
}
