import { type CanActivate, Injectable } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { PackedHost, RunningHost } from '../support/packed-host.js';
import { createTestApp } from '../support/test-app.js';
import { packedHost } from './hosts.js';

@Injectable()
class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

/** The module's part of a document: its paths and schemas. */
function moduleDocs(document: OpenAPIObject) {
  return {
    paths: Object.fromEntries(
      Object.entries(document.paths).filter(([route]) => route.startsWith('/auth/')),
    ),
    schemas: document.components?.schemas,
  };
}

describe('a host with @nestjs/swagger', () => {
  let host: PackedHost;
  let server: RunningHost;
  beforeAll(async () => {
    host = await packedHost('esm');
    server = await host.start('dist/main-swagger.js');
  }, 180_000);
  afterAll(() => host?.stop());

  it('documents the module routes as the sources do', async () => {
    const res = await fetch(`${server.url}/docs-json`);
    expect(res.status).toBe(200);
    const packed = moduleDocs((await res.json()) as OpenAPIObject);
    expect(Object.keys(packed.paths)).toEqual(
      expect.arrayContaining([
        '/auth/otp/send',
        '/auth/otp/login',
        '/auth/2fa/register',
        '/auth/me',
      ]),
    );

    const t = await createTestApp({ extras: { admin: { guard: DenyAll } } });
    try {
      const config = new DocumentBuilder().setTitle('host').addBearerAuth().build();
      expect(packed).toEqual(moduleDocs(SwaggerModule.createDocument(t.app, config)));
    } finally {
      await t.close();
    }
  });
});
