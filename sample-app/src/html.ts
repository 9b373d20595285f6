const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** A whole page in the sample's look; `body` must already be escaped. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)} · nestjs-otp sample</title>
    <link rel="stylesheet" href="/styles.css" />
  </head>
  <body>
    <header class="site"><a class="brand" href="/">nestjs-otp sample</a></header>
    <main id="main" class="card">
${body}
    </main>
  </body>
</html>
`;
}
