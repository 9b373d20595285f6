/**
 * The host apps the packaging suites run, built from the packed package by
 * test/support/packed-host.ts: all of them at once, so that one compiler run serves every suite.
 * A new kind of host (a GraphQL or WebSocket app, say) is an entry here, its files under
 * hosts/<fixture>/ (compiled by the repository's typecheck too, against the sources), and a
 * suite that calls `packedHost('<name>')`, starts it and talks to it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  buildPackedHosts,
  hostFixtures,
  type PackedHost,
  type PackedHostOptions,
  REPO_ROOT,
} from '../support/packed-host.js';

/** Packages of a host of the sign-in fixture (hosts/sign-in), besides nestjs-otp's own. */
const SIGN_IN_PACKAGES = ['@nestjs/platform-express', 'better-sqlite3', '@types/node'];

/** The Markdown files whose ```ts blocks are compiled: the README, docs/*.md, the sample's guide. */
export function snippetSources(): string[] {
  const docs = existsSync(path.join(REPO_ROOT, 'docs'))
    ? readdirSync(path.join(REPO_ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...docs, 'sample-app/README.md'].filter((file) =>
    existsSync(path.join(REPO_ROOT, file)),
  );
}

export interface DocSnippet {
  /** The Markdown file, relative to the repository (`README.md`, `docs/testing.md`). */
  file: string;
  /** Line of the file where the snippet's code starts. */
  line: number;
  code: string;
}

/** The ```ts blocks of one Markdown file (those in list items too, without their indentation). */
async function snippetsOf(file: string): Promise<DocSnippet[]> {
  const lines = (await readFile(path.join(REPO_ROOT, file), 'utf8')).split('\n');
  const snippets: DocSnippet[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```ts\s*$/.exec(lines[i]);
    if (!open) continue;
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j += 1) {
      code.push(lines[j].slice(Math.min(open[1].length, lines[j].search(/\S|$/))));
    }
    snippets.push({ file, line: i + 2, code: `${code.join('\n')}\n` });
    i = j;
  }
  return snippets;
}

/** Every ```ts block of the files of `snippetSources()`. */
export async function docSnippets(): Promise<DocSnippet[]> {
  return (await Promise.all(snippetSources().map(snippetsOf))).flat();
}

/**
 * The file of a snippet in the snippets host: `src/readme-<line>.ts`,
 * `src/docs-testing-<line>.ts`, `src/sample-app-readme-<line>.ts`.
 */
export const snippetFile = (snippet: DocSnippet) =>
  `src/${snippet.file
    .replace(/\.md$/i, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase()}-${snippet.line}.ts`;

/** The packages the snippets import, with their `@types` packages where installed. */
function snippetPackages(snippets: DocSnippet[]): string[] {
  const imported = new Set(
    snippets.flatMap(({ code }) =>
      [...code.matchAll(/\bfrom\s+'([^'.][^']*)'/g)]
        .map(([, spec]) =>
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        )
        .filter((name) => name !== 'nestjs-otp' && !name.startsWith('node:')),
    ),
  );
  const types = [...imported]
    .map((name) => `@types/${name.replace(/^@/, '').replace('/', '__')}`)
    .filter((name) => existsSync(path.join(REPO_ROOT, 'node_modules', name)));
  return [...new Set(['@types/node', ...imported, ...types])];
}

async function hostSpecs() {
  const snippets = await docSnippets();
  const signIn = await hostFixtures('sign-in');
  const withoutSwagger = await hostFixtures('sign-in', ['app.ts', 'main.ts', 'typings.ts']);
  const graphqlWs = await hostFixtures('graphql-ws');
  return {
    /** An ES module app with @nestjs/swagger: `dist/main.js`, or `dist/main-swagger.js` with docs. */
    esm: { type: 'module', packages: [...SIGN_IN_PACKAGES, '@nestjs/swagger'], files: signIn },
    /** The same sources compiled to CommonJS: `require('nestjs-otp')`. */
    commonjs: {
      type: 'commonjs',
      packages: [...SIGN_IN_PACKAGES, '@nestjs/swagger'],
      files: signIn,
    },
    /** An ES module app without @nestjs/swagger, the package's declarations checked too. */
    'no-swagger': {
      type: 'module',
      packages: SIGN_IN_PACKAGES,
      files: withoutSwagger,
      compilerOptions: { skipLibCheck: false },
    },
    /**
     * An ES module app with an Apollo GraphQL resolver and `ws` gateways behind SessionGuard, its
     * members and sessions on a named data source (`dataSource: 'accounts'`).
     */
    'graphql-ws': {
      type: 'module',
      packages: [
        ...SIGN_IN_PACKAGES,
        '@nestjs/graphql',
        '@nestjs/apollo',
        '@apollo/server',
        'graphql',
        '@nestjs/websockets',
        '@nestjs/platform-ws',
        'ws',
        '@types/express',
        '@types/ws',
      ],
      files: graphqlWs,
    },
    /** Every ```ts block of the README, docs/*.md and sample-app/README.md, each a module of its own. */
    snippets: {
      type: 'module',
      packages: snippetPackages(snippets),
      files: Object.fromEntries(snippets.map((snippet) => [snippetFile(snippet), snippet.code])),
      compilerOptions: { moduleDetection: 'force' },
    },
  } satisfies Record<string, PackedHostOptions>;
}

export type HostName = keyof Awaited<ReturnType<typeof hostSpecs>>;

let hosts: Promise<Record<HostName, PackedHost>> | undefined;

/** The host `name`, built (with all the others) on first use. */
export async function packedHost(name: HostName): Promise<PackedHost> {
  hosts ??= hostSpecs().then((specs) => buildPackedHosts(specs));
  return (await hosts)[name];
}
