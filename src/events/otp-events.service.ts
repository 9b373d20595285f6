import type { OtpEventName, OtpEventPayload } from './otp-events.js';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { EventEmitter } from 'node:events';

interface Emitter {
  emit(event: string, payload: unknown): unknown;
}

/**
 * Emits the module's events. Listen with `@OnEvent('otp.member.created')` when the host imports
 * `EventEmitterModule.forRoot()` from `@nestjs/event-emitter`, or with
 * `otpEvents.on('otp.member.created', listener)` without it. A throwing listener never breaks
 * a sign-in.
 */
@Injectable()
export class OtpEventsService implements OnModuleInit {
  private readonly logger = new Logger('OtpModule');
  private readonly local = new EventEmitter();
  private nest?: Emitter;

  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    try {
      const { EventEmitter2 } = await import('@nestjs/event-emitter');
      this.nest = this.moduleRef.get(EventEmitter2, { strict: false });
    } catch {
      this.nest = undefined; // @nestjs/event-emitter is not installed or not imported
    }
  }

  /** Calls `listener` for every `event`. */
  on(event: OtpEventName, listener: (payload: OtpEventPayload) => void): this {
    this.local.on(event, listener);
    return this;
  }

  /** Stops calling `listener`. */
  off(event: OtpEventName, listener: (payload: OtpEventPayload) => void): this {
    this.local.off(event, listener);
    return this;
  }

  /** @internal */
  emit(event: OtpEventName, details: Omit<OtpEventPayload, 'event' | 'at'>): void {
    const payload: OtpEventPayload = { event, ...details, at: new Date() };
    for (const emitter of [this.local, this.nest]) {
      try {
        emitter?.emit(event, payload);
      } catch (error) {
        this.logger.error(`A listener of ${event} failed: ${(error as Error).name}`);
      }
    }
  }
}
