import { EmulatorClock } from './emulator-clock.js';
import { FaultQueue } from './fault-queue.js';

describe('FaultQueue', () => {
  const unavailable = { kind: 'status', status: 503 } as const;
  const reset = { kind: 'reset' } as const;

  it('applies the first fault injected that matches the endpoint, until cleared', () => {
    const faults = new FaultQueue();
    faults.inject(unavailable, { endpoint: 'VerificationCheck' });
    faults.inject(reset);

    expect(faults.take('Verifications')).toBe(reset);
    expect(faults.take('VerificationCheck')).toBe(unavailable);
    expect(faults.take('VerificationCheck')).toBe(unavailable);
    expect(faults.take(undefined)).toBe(reset);
    faults.clear();
    expect(faults.take('Lookup')).toBeUndefined();
  });

  it('counts the uses of a fault given times, then lets the next one apply', () => {
    const faults = new FaultQueue();
    faults.inject(unavailable, { times: 2, endpoint: 'Lookup' });
    faults.inject(reset, { times: 1 });

    expect(faults.take('Verifications')).toBe(reset);
    expect(faults.take('Verifications')).toBeUndefined();
    expect(faults.take('Lookup')).toBe(unavailable);
    expect(faults.take('Lookup')).toBe(unavailable);
    expect(faults.take('Lookup')).toBeUndefined();
  });

  it('refuses times that are not a positive integer and a negative delay', () => {
    const faults = new FaultQueue();
    expect(() => faults.inject(reset, { times: 0 })).toThrow(
      new RangeError('times must be a positive integer, got 0'),
    );
    expect(() => faults.inject(reset, { times: 1.5 })).toThrow(RangeError);
    expect(() => faults.inject({ kind: 'delay', ms: -1 })).toThrow(
      new RangeError('delay ms must be a non-negative number, got -1'),
    );
    expect(() => faults.inject({ kind: 'delay', ms: Number.NaN })).toThrow(RangeError);
    expect(faults.take(undefined)).toBeUndefined();
  });
});

describe('EmulatorClock', () => {
  it('adds the time advanced to its base clock until reset', () => {
    let base = 1_000;
    const clock = new EmulatorClock(() => base);
    clock.advance(500);
    base += 10;
    expect(clock.now()).toBe(1_510);
    clock.reset();
    expect(clock.now()).toBe(1_010);
  });

  it('reads Date.now by default, and refuses to go back', () => {
    const clock = new EmulatorClock();
    const before = Date.now();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    expect(() => clock.advance(-1)).toThrow(
      new RangeError('advanceTime expects a non-negative number of ms, got -1'),
    );
    expect(() => clock.advance(Infinity)).toThrow(RangeError);
  });
});
