import { packedHost, readmeSnippets, snippetFile } from './hosts.js';

describe('README snippets', () => {
  it('compile in a host with isolatedModules and decorator metadata', async () => {
    const snippets = await readmeSnippets();
    expect(snippets.length).toBeGreaterThan(3);
    const { diagnostics } = await packedHost('readme');
    // Point at the README's lines: src/readme-<first line>.ts(<line>,<column>)
    const located = snippets.reduce(
      (text, snippet) =>
        text.replace(
          new RegExp(`${snippetFile(snippet).replace('.', '\\.')}\\((\\d+),(\\d+)\\)`, 'g'),
          (_, line: string, column: string) =>
            `README.md:${snippet.line + Number(line) - 1}:${column}`,
        ),
      diagnostics,
    );
    if (located) {
      throw new Error(
        `${located}\nEach \`\`\`ts block of the README is compiled as a file of its own: make it ` +
          'a complete program (imports included), or fence what is not TypeScript as text.',
      );
    }
  }, 180_000);
});
