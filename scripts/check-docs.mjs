#!/usr/bin/env node
/**
 * Keeps the repository's Markdown linked: every relative link (`[text](docs/x.md)`, images,
 * reference definitions, and `href`/`src` of HTML tags) must name a file or folder that exists,
 * and every `#anchor` must match a heading of its target as GitHub slugs it (or an HTML `id`).
 * External links (`https:`, `mailto:`...) are not followed: the check needs no network.
 *
 *   node scripts/check-docs.mjs            checks every *.md file of the repository
 *   node scripts/check-docs.mjs a.md b.md  checks those files only (their targets may be any file)
 *
 * Exits 1 with one line per dead link, `file:line: ...`, naming the link and what is missing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Folders never searched for Markdown files (installed, generated or ignored by git). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', 'test-output', '.git']);
const SKIPPED_PATHS = new Set(['sample-app/data', 'bench/peers']);

const relative = (file) => path.relative(ROOT, file).split(path.sep).join('/');

/** Every Markdown file under `dir`, sorted. */
function markdownFiles(dir = ROOT) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || SKIPPED_PATHS.has(relative(full))) continue;
      found.push(...markdownFiles(full));
    } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) {
      found.push(full);
    }
  }
  return found.sort();
}

/** A fence that opens or closes a code block: its character and length. */
const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * The file's lines outside fenced code blocks, grouped into blocks of consecutive non-blank
 * lines (a paragraph, a table, a list item...), each `{ start, text }` with `start` the 1-based
 * line of its first line. A code span may cross a line break, so spans are found per block.
 */
function proseBlocks(lines) {
  const blocks = [];
  let fence;
  let block;
  lines.forEach((line, index) => {
    const marker = FENCE.exec(line);
    if (fence) {
      if (marker && marker[1][0] === fence[0] && marker[1].length >= fence.length)
        fence = undefined;
      return;
    }
    if (marker) {
      fence = marker[1];
      block = undefined;
      return;
    }
    if (!line.trim()) {
      block = undefined;
      return;
    }
    if (block) {
      block.text += `\n${line}`;
    } else {
      block = { start: index + 1, text: line };
      blocks.push(block);
    }
  });
  return blocks;
}

/** `text` with its code spans blanked out (same length, line breaks kept). */
function blankCodeSpans(text) {
  return text.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '));
}

/**
 * The anchor GitHub gives a heading: its text as rendered (code spans, links and emphasis
 * reduced to their text, HTML tags dropped), lower-cased, with every character that is not a
 * letter, mark, number, connector (`_`), space or hyphen removed and each space made a hyphen.
 */
function slugify(heading) {
  const codes = [];
  let text = heading.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, (_, __, code) => {
    codes.push(code.trim());
    return `\uE000${codes.length - 1}\uE000`;
  });
  text = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(\*+|(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}]))/gu, '')
    .replace(/\uE000(\d+)\uE000/g, (_, index) => codes[Number(index)]);
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const HTML_ID = /<[a-z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

const anchorCache = new Map();

/** The anchors of a Markdown file: its headings' slugs (repeats get -1, -2...) and HTML ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const anchors = new Set();
  const seen = new Map();
  const add = (heading) => {
    const base = slugify(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  };
  for (const block of proseBlocks(lines)) {
    const blockLines = block.text.split('\n');
    blockLines.forEach((line, index) => {
      const atx = ATX_HEADING.exec(line);
      if (atx) {
        add(atx[2] ?? '');
      } else if (
        index === 1 &&
        SETEXT_UNDERLINE.test(line) &&
        !/^\s*([-*+]|\d+[.)]|>|\|)/.test(blockLines[0])
      ) {
        add(blockLines[0].trim());
      }
    });
    for (const [, double, single] of blankCodeSpans(block.text).matchAll(HTML_ID)) {
      anchors.add(double ?? single);
    }
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** Destinations of links in a block of prose, each `{ target, offset }` within the block. */
function linksIn(text) {
  const prose = blankCodeSpans(text);
  const links = [];
  const inline =
    /\]\(\s*(<[^>\n]*>|[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const match of prose.matchAll(inline)) {
    links.push({ target: match[1].replace(/^<|>$/g, ''), offset: match.index });
  }
  const definition = /^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)/gm;
  for (const match of prose.matchAll(definition)) {
    links.push({ target: match[1].replace(/^<|>$/g, ''), offset: match.index });
  }
  const html =
    /<(?:a|img|source|link)\b[^>]*?\s(?:href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
  for (const match of prose.matchAll(html)) {
    links.push({ target: (match[1] ?? match[2]).trim().split(/\s+/)[0], offset: match.index });
  }
  return links;
}

/** Levenshtein distance, for "did you mean". */
function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

function closest(anchor, anchors) {
  const ranked = [...anchors]
    .map((candidate) => [distance(anchor, candidate), candidate])
    .sort((x, y) => x[0] - y[0]);
  const best = ranked[0];
  return best && best[0] <= Math.max(3, anchor.length / 3) ? ` (did you mean #${best[1]}?)` : '';
}

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** What is wrong with `target`, linked from `file`; undefined when it is alive. */
function problem(file, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const hash = target.indexOf('#');
  const pathPart = decode((hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, ''));
  const anchor = hash === -1 ? undefined : decode(target.slice(hash + 1));
  let resolved = file;
  if (pathPart) {
    resolved = pathPart.startsWith('/')
      ? path.join(ROOT, pathPart)
      : path.resolve(path.dirname(file), pathPart);
    if (resolved !== ROOT && !resolved.startsWith(ROOT + path.sep)) {
      return `points outside the repository (${pathPart})`;
    }
    if (!existsSync(resolved)) return `${relative(resolved)} does not exist`;
  }
  if (anchor === undefined || anchor === '') return undefined;
  let page = resolved;
  if (statSync(resolved).isDirectory()) {
    page = ['README.md', 'readme.md'].map((name) => path.join(resolved, name)).find(existsSync);
    if (!page) return `${relative(resolved)}/ has no README.md to hold #${anchor}`;
  }
  if (!page.toLowerCase().endsWith('.md')) {
    return /^L\d+(-L\d+)?$/.test(anchor)
      ? undefined
      : `#${anchor} is not a line (#L12) of ${relative(page)}, which is not Markdown`;
  }
  const anchors = anchorsOf(page);
  if (anchors.has(anchor)) return undefined;
  return `no heading of ${relative(page)} has the anchor #${anchor}${closest(anchor, anchors)}`;
}

function check(files) {
  const failures = [];
  let links = 0;
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (const block of proseBlocks(lines)) {
      for (const { target, offset } of linksIn(block.text)) {
        links += 1;
        const wrong = problem(file, target);
        if (wrong) {
          const line = block.start + block.text.slice(0, offset).split('\n').length - 1;
          failures.push(`${relative(file)}:${line}: dead link "${target}": ${wrong}`);
        }
      }
    }
  }
  return { failures, links };
}

const named = process.argv.slice(2).map((file) => path.resolve(file));
const files = named.length ? named : markdownFiles();
const { failures, links } = check(files);
if (failures.length) {
  console.error(failures.join('\n'));
  console.error(
    `\ncheck-docs: ${failures.length} dead link(s) in the Markdown files. A relative link must ` +
      'name a file of the repository, and an #anchor a heading of its target as GitHub slugs it ' +
      '(lower case, punctuation dropped, spaces as hyphens).',
  );
  process.exit(1);
}
console.log(`check-docs: ${links} links in ${files.length} Markdown files, all alive.`);
