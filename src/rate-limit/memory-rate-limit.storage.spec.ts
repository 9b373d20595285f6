import { MemoryRateLimitStorage } from './memory-rate-limit.storage.js';

describe('MemoryRateLimitStorage', () => {
  let now = 0;
  const clock = () => now;
  const window = (key: string, limit = 2, windowMs = 1_000) => ({ key, limit, windowMs });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('counts all windows or none: a full window leaves the others untouched', async () => {
    const storage = new MemoryRateLimitStorage(clock);
    await storage.hit([window('a', 1)]);
    const refused = await storage.hit([window('b', 5), window('a', 1)]);
    expect(refused).toMatchObject({ allowed: false, key: 'a', retryAfterMs: 1_000 });
    for (let i = 0; i < 5; i++) expect((await storage.hit([window('b', 5)])).allowed).toBe(true);
  });

  it('frees a place when the oldest attempt leaves the window', async () => {
    const storage = new MemoryRateLimitStorage(clock);
    await storage.hit([window('a')]);
    now += 400;
    await storage.hit([window('a')]);
    expect(await storage.hit([window('a')])).toMatchObject({ allowed: false, retryAfterMs: 600 });
    now += 600;
    expect((await storage.hit([window('a')])).allowed).toBe(true);
  });

  it('takes back one attempt with undo, and all with clear', async () => {
    const storage = new MemoryRateLimitStorage(clock);
    const first = await storage.hit([window('a')]);
    await storage.hit([window('a')]);
    if (!first.allowed) throw new Error('first hit refused');
    await storage.undo(['a'], first.hitId);
    expect((await storage.hit([window('a')])).allowed).toBe(true);
    expect((await storage.hit([window('a')])).allowed).toBe(false);
    await storage.clear(['a']);
    expect((await storage.hit([window('a')])).allowed).toBe(true);
  });

  it('never drops a live counter to make room: at its bound, new keys are refused', async () => {
    const storage = new MemoryRateLimitStorage(clock, 10);
    await storage.hit([window('locked', 1, 60_000)]);
    let refusedJunk = 0;
    for (let i = 0; i < 100; i++) {
      if (!(await storage.hit([window(`junk-${i}`, 5, 60_000)])).allowed) refusedJunk++;
    }
    expect(refusedJunk).toBe(91);
    expect(storage.size).toBe(10);
    expect(await storage.hit([window('locked', 1, 60_000)])).toMatchObject({ allowed: false });
  });

  it('sweeps dead keys, so the bound frees itself as windows expire', async () => {
    const storage = new MemoryRateLimitStorage(clock, 10);
    for (let i = 0; i < 10; i++) await storage.hit([window(`old-${i}`)]);
    now += 1_001;
    expect((await storage.hit([window('new')])).allowed).toBe(true);
    expect(storage.size).toBeLessThanOrEqual(10);
  });
});
