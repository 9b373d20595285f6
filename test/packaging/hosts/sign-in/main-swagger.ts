import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createHostApp, serve } from './app.js';

/** The host with its OpenAPI document at /docs-json. */
async function main(): Promise<void> {
  const app = await createHostApp();
  const config = new DocumentBuilder().setTitle('host').addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
  await serve(app);
}

void main();
