import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createTestApp, type TestApp } from './support/test-app.js';
import { Injectable, type CanActivate } from '@nestjs/common';

@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

describe('OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ extras: { admin: { guard: DenyAll } } });
  });
  afterAll(() => t.close());

  it('documents every route with its body and error responses', () => {
    const document = SwaggerModule.createDocument(
      t.app,
      new DocumentBuilder().setTitle('test').addBearerAuth().build(),
    );
    const paths = Object.keys(document.paths).filter((p) => p.startsWith('/auth'));
    expect(paths.sort()).toEqual(
      [
        '/auth/2fa/login',
        '/auth/2fa/login/send',
        '/auth/2fa/password/change',
        '/auth/2fa/password/change/send',
        '/auth/2fa/password/reset',
        '/auth/2fa/password/send',
        '/auth/2fa/register',
        '/auth/2fa/register/send',
        '/auth/account',
        '/auth/account/delete/send',
        '/auth/account/devices',
        '/auth/account/devices/{id}',
        '/auth/account/email',
        '/auth/account/email/send',
        '/auth/account/passkeys',
        '/auth/account/passkeys/options',
        '/auth/account/passkeys/{id}',
        '/auth/account/phone',
        '/auth/account/phone/send',
        '/auth/account/recovery-codes',
        '/auth/account/totp',
        '/auth/account/totp/confirm',
        '/auth/admin/members',
        '/auth/admin/members/{id}',
        '/auth/admin/members/{id}/phone',
        '/auth/admin/members/{id}/approve',
        '/auth/admin/members/{id}/block',
        '/auth/admin/members/{id}/unblock',
        '/auth/countries',
        '/auth/logout',
        '/auth/me',
        '/auth/otp/login',
        '/auth/otp/recover',
        '/auth/otp/send',
        '/auth/passkey/login',
        '/auth/passkey/options',
        '/auth/session/verify',
        '/auth/session/verify/passkey/options',
        '/auth/session/verify/send',
        '/auth/sessions',
        '/auth/sessions/{id}',
      ].sort(),
    );
    const login = document.paths['/auth/otp/login'].post!;
    expect(login.requestBody).toBeDefined();
    expect(Object.keys(login.responses).sort()).toEqual(
      ['200', '400', '401', '403', '429', '500', '503'].sort(),
    );
    const schemas = document.components!.schemas!;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['PhoneLoginDto', 'RegisterDto', 'ErrorResponse', 'MemberResponse']),
    );
    expect(JSON.stringify(schemas.RegisterDto)).toContain('confirmationCode');
    expect(JSON.stringify(schemas.MemberResponse)).not.toMatch(/password|hash/i);
  });

  it('documents the send answers: the flag with channel, resendAfterSeconds and expiresInSeconds', () => {
    const document = SwaggerModule.createDocument(t.app, new DocumentBuilder().build());
    const schemas = document.components!.schemas! as Record<
      string,
      {
        properties: Record<string, { enum?: unknown[]; type?: string }>;
        required?: string[];
        allOf?: { $ref: string }[];
      }
    >;
    const okSchema = (path: string) => {
      const content = (document.paths[path].post!.responses['200'] as { content: object })
        .content as Record<string, { schema: { $ref: string } }>;
      return schemas[content['application/json'].schema.$ref.split('/').pop()!];
    };
    for (const [path, flag] of [
      ['/auth/otp/send', 'results'],
      ['/auth/2fa/register/send', 'registerUser'],
      ['/auth/2fa/password/send', 'results'],
      ['/auth/2fa/password/change/send', 'results'],
    ] as const) {
      const schema = okSchema(path);
      expect(schema.properties[flag].enum).toEqual([true]);
      expect(schema.properties.channel.enum).toEqual(['sms', 'call', 'whatsapp']);
      expect(schema.properties.resendAfterSeconds.type).toBe('integer');
      expect(schema.properties.expiresInSeconds.type).toBe('integer');
      expect(schema.required).toEqual(
        expect.arrayContaining([flag, 'channel', 'resendAfterSeconds', 'expiresInSeconds']),
      );
    }
  });
});
