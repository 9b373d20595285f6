import { passwordlessSignIn, type PackedHost, type RunningHost } from '../support/packed-host.js';
import { packedHost } from './hosts.js';

describe('a host without @nestjs/swagger', () => {
  let host: PackedHost;
  let server: RunningHost;
  beforeAll(async () => {
    host = await packedHost('no-swagger');
    server = await host.start('dist/main.js');
  }, 180_000);
  afterAll(() => host?.stop());

  it('compiles with the package declarations checked', () => {
    expect(host.diagnostics).toBe('');
  });

  it('cannot resolve @nestjs/swagger from the package', async () => {
    const script = `require('node:module').createRequire(require.resolve('nestjs-otp')).resolve('@nestjs/swagger')`;
    await expect(host.node(['-e', script])).rejects.toMatchObject({
      stderr: expect.stringContaining('MODULE_NOT_FOUND'),
    });
  });

  it('starts and serves the sign-in, session and country routes', async () => {
    const { sessionToken } = await passwordlessSignIn(server.url);
    const auth = { authorization: `Bearer ${sessionToken}` };
    const countries = await fetch(`${server.url}/auth/countries`);
    expect(countries.status).toBe(200);
    expect(await countries.json()).toContainEqual({
      code: 'US',
      name: 'United States',
      dialCode: '+1',
    });
    const me = await fetch(`${server.url}/auth/me`, { headers: auth });
    expect(me.status).toBe(200);
    const sessions = await fetch(`${server.url}/auth/sessions`, { headers: auth });
    expect(await sessions.json()).toEqual([expect.objectContaining({ current: true })]);
    const logout = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: auth });
    expect(logout.status).toBe(204);
    expect((await fetch(`${server.url}/auth/me`, { headers: auth })).status).toBe(401);
  });
});
