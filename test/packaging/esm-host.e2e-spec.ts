import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HOST_PHONE,
  passwordlessSignIn,
  type PackedHost,
  type RunningHost,
} from '../support/packed-host.js';
import { packedHost } from './hosts.js';

describe('an ES module host of the packed package', () => {
  let host: PackedHost;
  let server: RunningHost;
  beforeAll(async () => {
    host = await packedHost('esm');
    server = await host.start('dist/main.js');
  }, 180_000);
  afterAll(() => host?.stop());

  it('compiles, importing both entry points', async () => {
    expect(host.diagnostics).toBe('');
    const compiled = await readFile(path.join(host.dir, 'dist', 'app.js'), 'utf8');
    expect(compiled).toContain(`from 'nestjs-otp';`);
    expect(compiled).toContain(`from 'nestjs-otp/testing';`);
  });

  it('signs in by phone and reaches a guarded route', async () => {
    const signIn = await passwordlessSignIn(server.url);
    expect(signIn).toMatchObject({ isNewMember: true, member: { phoneNumber: HOST_PHONE.e164 } });
    const me = await fetch(`${server.url}/host/me`, {
      headers: { authorization: `Bearer ${signIn.sessionToken}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: signIn.member.id });
  });
});
