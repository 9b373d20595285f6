import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  HOST_PHONE,
  passwordlessSignIn,
  type PackedHost,
  type RunningHost,
} from '../support/packed-host.js';
import { packedHost } from './hosts.js';

describe('a CommonJS host of the packed package', () => {
  let host: PackedHost;
  let server: RunningHost;
  beforeAll(async () => {
    host = await packedHost('commonjs');
    server = await host.start('dist/main.js');
  }, 180_000);
  afterAll(() => host?.stop());

  it('compiles to require() calls of both entry points', async () => {
    expect(host.diagnostics).toBe('');
    const compiled = await readFile(path.join(host.dir, 'dist', 'app.js'), 'utf8');
    expect(compiled).toContain('require("nestjs-otp")');
    expect(compiled).toContain('require("nestjs-otp/testing")');
  });

  it('gets the same modules from require() and import()', async () => {
    const script = `
      const otp = require('nestjs-otp');
      const testing = require('nestjs-otp/testing');
      Promise.all([import('nestjs-otp'), import('nestjs-otp/testing')]).then(([otpEsm, testingEsm]) => {
        process.stdout.write(JSON.stringify({
          otpModule: otp.OtpModule === otpEsm.OtpModule,
          sessionGuard: otp.SessionGuard === otpEsm.SessionGuard,
          emulator: testing.TwilioVerifyEmulator === testingEsm.TwilioVerifyEmulator,
        }));
      });`;
    const { stdout } = await host.node(['-e', script]);
    expect(JSON.parse(stdout)).toEqual({ otpModule: true, sessionGuard: true, emulator: true });
    // A Node process loading the whole package twice over: seconds on a loaded machine.
  }, 60_000);

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
