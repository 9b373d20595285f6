import { createTestApp, type TestApp } from './support/test-app.js';

describe('GET /auth/countries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists ISO 3166-1 countries with dial codes, sorted by English name', async () => {
    const res = await t.http.get('/auth/countries').expect(200);
    const list = res.body as { code: string; name: string; dialCode: string }[];
    expect(list.length).toBeGreaterThan(230);
    expect(list).toContainEqual({ code: 'US', name: 'United States', dialCode: '+1' });
    expect(list).toContainEqual({ code: 'GB', name: 'United Kingdom', dialCode: '+44' });
    expect(list).toContainEqual({ code: 'FR', name: 'France', dialCode: '+33' });
    const names = list.map((c) => c.name);
    expect(names).toEqual([...names].sort(new Intl.Collator('en').compare));
    expect(list.map((c) => c.code)).not.toContain('XK');
    expect(list.every((c) => /^[A-Z]{2}$/.test(c.code) && /^\+\d{1,3}$/.test(c.dialCode))).toBe(
      true,
    );
  });

  it('names and sorts in the requested locale', async () => {
    const res = await t.http.get('/auth/countries?locale=fr').expect(200);
    const list = res.body as { code: string; name: string }[];
    expect(list.find((c) => c.code === 'US')?.name).toBe('États-Unis');
    expect(list.find((c) => c.code === 'DE')?.name).toBe('Allemagne');
    const names = list.map((c) => c.name);
    expect(names).toEqual([...names].sort(new Intl.Collator('fr').compare));
  });

  it('refuses a malformed locale with 400 VALIDATION_FAILED', async () => {
    const res = await t.http.get('/auth/countries?locale=%3Cscript%3E').expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', results: false });
    await t.http.get('/auth/countries?locale=en&locale=fr').expect(400);
  });
});

describe('allowedCountries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ otp: { allowedCountries: ['US', 'ca'] } });
  });
  afterAll(() => t.close());

  it('filters the list', async () => {
    const res = await t.http.get('/auth/countries').expect(200);
    expect(res.body).toEqual([
      { code: 'CA', name: 'Canada', dialCode: '+1' },
      { code: 'US', name: 'United States', dialCode: '+1' },
    ]);
  });

  it('refuses other countries with 400 COUNTRY_NOT_ALLOWED before Twilio, for both channels', async () => {
    for (const channel of ['sms', 'call']) {
      const res = await t.http
        .post('/auth/otp/send')
        .send({ channel, countryCode: 'GB', phoneNumber: '07400 123456' })
        .expect(400);
      expect(res.body.code).toBe('COUNTRY_NOT_ALLOWED');
    }
    expect(t.emulator.requests()).toEqual([]);
  });
});
