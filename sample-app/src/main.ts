import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createSampleApp } from './sample-app.js';
import { SampleSettings } from './sample-settings.js';

async function main(): Promise<void> {
  const logger = new Logger('Sample');
  const sample = await createSampleApp();
  const host = process.env.HOST || '127.0.0.1';
  const port = Number(process.env.PORT || 3000);
  await sample.app.listen(port, host);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void sample.close().finally(() => process.exit(0)));
  }
  const url = await sample.app.getUrl();
  logger.log(`Sample app: ${url}/  (API docs: ${url}/docs)`);
  const passkeys = sample.app.get(SampleSettings).page.passkeys;
  if (passkeys) {
    const where = passkeys.origins.map((origin) => `${origin}/`).join(' or ');
    logger.log(`Passkeys: open ${where} (a passkey needs a domain name, not an IP address)`);
  }
}

main().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
