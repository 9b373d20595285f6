import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ensureTwilio } from './dev-twilio.js';

async function main(): Promise<void> {
  process.env.OTP_MAIL_DOMAIN ??= 'members.example.com';
  const emulator = await ensureTwilio();
  const { AppModule } = await import('./app.module.js');
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, host);
  if (emulator) {
    const stop = () => void emulator.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  new Logger('Sample').log(`Sample app listening on http://${host}:${port}/`);
}

main().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
