import { createHostApp, serve } from './app.js';

async function main(): Promise<void> {
  await serve(await createHostApp());
}

void main();
