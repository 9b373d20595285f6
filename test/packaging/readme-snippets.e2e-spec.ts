import { type DocSnippet, docSnippets, packedHost, snippetFile, snippetSources } from './hosts.js';

/**
 * Every ```ts block of the README, of docs/*.md and of sample-app/README.md is compiled, each as
 * a module of its own, in one host built from the packed package (isolatedModules, decorator
 * metadata, as a Nest 12 app compiles). A failure names the Markdown file and line.
 */
describe('TypeScript snippets of the docs', () => {
  let snippets: DocSnippet[];
  let diagnostics: string;

  beforeAll(async () => {
    snippets = await docSnippets();
    ({ diagnostics } = await packedHost('snippets'));
  }, 300_000);

  it('are found in the README and the pages', () => {
    expect(snippetSources()).toEqual(expect.arrayContaining(['README.md', 'sample-app/README.md']));
    expect(snippets.filter(({ file }) => file === 'README.md').length).toBeGreaterThanOrEqual(3);
    expect(snippets.filter(({ file }) => file.startsWith('docs/')).length).toBeGreaterThan(10);
  });

  it.each(snippetSources())('compile: %s', (file) => {
    // Point at the Markdown's lines: src/<file>-<first line>.ts(<line>,<column>) -> file:line:column.
    // A message's indented continuation lines go with it; a message naming no snippet goes to all.
    const located: string[] = [];
    let keep = true;
    for (const message of diagnostics.split('\n')) {
      if (!message.trim()) continue;
      if (/^\s/.test(message)) {
        if (keep) located.push(message);
        continue;
      }
      const snippet = snippets.find((candidate) =>
        message.startsWith(`${snippetFile(candidate)}(`),
      );
      keep = snippet ? snippet.file === file : true;
      if (!keep) continue;
      located.push(
        snippet
          ? message.replace(
              /^[^(]+\((\d+),(\d+)\)/,
              (_, line: string, column: string) =>
                `${snippet.file}:${snippet.line + Number(line) - 1}:${column}`,
            )
          : message,
      );
    }
    if (located.length) {
      throw new Error(
        `${located.join('\n')}\nEach \`\`\`ts block of ${file} is compiled as a file of its own: make it a ` +
          'complete program (imports included), or fence what is not TypeScript as text.',
      );
    }
  });
});
