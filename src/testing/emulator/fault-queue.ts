import type { EmulatorFault, FaultOptions } from '../emulator.types.js';

/** The endpoint a request addresses, as faults name it. */
export type FaultEndpoint = 'Verifications' | 'VerificationCheck' | 'Lookup';

interface ActiveFault {
  fault: EmulatorFault;
  endpoint: FaultEndpoint | 'any';
  remaining: number;
}

/**
 * The faults injected into the emulator, in the order they were injected, each with the endpoint
 * it applies to and the number of requests it has left. Playing a fault is the HTTP server's job.
 */
export class FaultQueue {
  private readonly faults: ActiveFault[] = [];

  /**
   * Adds a fault after those already injected.
   * @throws RangeError if `times` is not a positive integer or a delay's `ms` is negative.
   */
  inject(fault: EmulatorFault, options: FaultOptions = {}): void {
    const times = options.times ?? Infinity;
    if (times !== Infinity && (!Number.isInteger(times) || times < 1)) {
      throw new RangeError(`times must be a positive integer, got ${times}`);
    }
    if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) {
      throw new RangeError(`delay ms must be a non-negative number, got ${fault.ms}`);
    }
    this.faults.push({ fault, endpoint: options.endpoint ?? 'any', remaining: times });
  }

  /**
   * The first fault that applies to a request on `endpoint` (`undefined` for a path that is none
   * of them), counting one use of it; `undefined` when none applies.
   */
  take(endpoint: FaultEndpoint | undefined): EmulatorFault | undefined {
    const index = this.faults.findIndex((f) => f.endpoint === 'any' || f.endpoint === endpoint);
    if (index < 0) return undefined;
    const active = this.faults[index];
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.splice(index, 1);
    return active.fault;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults.length = 0;
  }
}
