import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OTP_DEFAULTS } from './otp-defaults.js';

/**
 * The options table of the user docs must give the defaults the code applies: every row whose
 * default is a literal (a number, a duration, a string, a boolean, a list or an object of them)
 * is compared with `OTP_DEFAULTS` at the option's path. Rows whose default is prose ("off",
 * "required", "the service's name") are not literals and are left alone.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the table lives, first found first: the configuration page, else the README. */
const SOURCES = ['docs/configuration.md', 'README.md'];
const HEADING = '## Options';

interface Row {
  file: string;
  line: number;
  options: string[];
  defaults: string;
}

/** One documented literal default, to compare with the code's. */
interface Claim {
  where: string;
  option: string;
  text: string;
  value: unknown;
  /** A duration said beside the value, e.g. `(12 hours)`, in seconds. */
  seconds?: number;
}

/** The table under `## Options`, from the first source that has one. */
function optionsTable(): { file: string; rows: Row[] } {
  for (const file of SOURCES) {
    const path = ROOT + file;
    if (!existsSync(path)) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    const start = lines.findIndex((line) => line.trim() === HEADING);
    if (start === -1) continue;
    const rows: Row[] = [];
    let columns: { option: number; defaults: number } | undefined;
    for (let index = start + 1; index < lines.length && !/^#{1,2} /.test(lines[index]); index++) {
      const line = lines[index].trim();
      if (!line.startsWith('|')) continue;
      const cells = line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim());
      if (!columns) {
        const names = cells.map((cell) => cell.toLowerCase());
        columns = { option: names.indexOf('option'), defaults: names.indexOf('default') };
        continue;
      }
      if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
      const options = [...cells[columns.option].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      rows.push({ file, line: index + 1, options, defaults: cells[columns.defaults] ?? '' });
    }
    if (columns && columns.option !== -1 && columns.defaults !== -1 && rows.length > 0) {
      return { file, rows };
    }
  }
  throw new Error(
    `No options table: neither ${SOURCES.join(' nor ')} has a "${HEADING}" section with a ` +
      'table whose columns include "option" and "default"',
  );
}

/** Splits `text` at `separator` outside code spans and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let code = false;
  let current = '';
  for (const char of text) {
    if (char === '`') code = !code;
    else if (!code && char === '(') depth++;
    else if (!code && char === ')') depth--;
    if (char === separator && !code && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  parts.push(current.trim());
  return parts;
}

const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86_400,
  week: 604_800,
};
const DURATION = /\b(\d[\d,]*|an?|one)\s+(second|minute|hour|day|week)s?\b/;

/** Seconds of the first duration in `text` ("12 hours", "a day"), if any. */
function durationSeconds(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const count = /^\d/.test(match[1]) ? Number(match[1].replace(/,/g, '')) : 1;
  return count * UNIT_SECONDS[match[2]];
}

/** The value written in a code span: a JavaScript literal, or a bare word read as a string. */
function literal(text: string): unknown {
  const value = text.trim();
  if (/^-?\d[\d_]*(\.\d+)?$/.test(value)) return Number(value.replace(/_/g, ''));
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^'[^']*'$/.test(value) || /^"[^"]*"$/.test(value)) return value.slice(1, -1);
  if (/^[[{]/.test(value)) {
    const json = value
      .replace(/'([^']*)'/g, (_, inner: string) => JSON.stringify(inner))
      .replace(/([{,]\s*)([A-Za-z_$][\w$]*)\s*:/g, '$1"$2":');
    return JSON.parse(json) as unknown;
  }
  if (/^[A-Za-z_][\w./:-]*$/.test(value)) return value;
  throw new Error(`cannot read \`${value}\` as a literal`);
}

/** The literal defaults a row documents, each paired with its option. */
function claims(row: Row): Claim[] {
  const where = `${row.file}:${row.line}`;
  const segments =
    row.options.length === 1
      ? [row.defaults]
      : [';', ',']
          .map((separator) => splitTopLevel(row.defaults, separator))
          .find((parts) => {
            return parts.length === row.options.length;
          });
  const found: Claim[] = [];
  if (!segments) {
    if (splitTopLevel(row.defaults, ',').some((part) => /^`[^`]+`/.test(part))) {
      throw new Error(
        `${where}: cannot tell which of the defaults "${row.defaults}" belongs to which of ` +
          `${row.options.join(', ')}`,
      );
    }
    return found;
  }
  row.options.forEach((option, index) => {
    const segment = segments[index];
    const plain = /^`([^`]+)`(?:\s*\(([^)]*)\))?$/.exec(segment);
    const field = /^([A-Za-z]\w*) `([^`]+)`$/.exec(segment);
    const duration = /^(\d[\d,]*|an?|one)\s+(second|minute|hour|day|week)s?$/.test(segment);
    if (plain) {
      found.push({
        where,
        option,
        text: segment,
        value: literal(plain[1]),
        seconds: plain[2] === undefined ? undefined : durationSeconds(plain[2]),
      });
    } else if (field) {
      found.push({
        where,
        option: `${option}.${field[1]}`,
        text: segment,
        value: literal(field[2]),
      });
    } else if (duration) {
      found.push({
        where,
        option,
        text: segment,
        value: undefined,
        seconds: durationSeconds(segment),
      });
    }
  });
  return found;
}

/** The code's default at an option's path (`session.cookie.sameSite`), `undefined` if none. */
function codeDefault(option: string): unknown {
  let value: unknown = OTP_DEFAULTS;
  for (const key of option.split('.')) {
    if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Seconds of a default, by its option's unit (`...Ms`, `...Seconds`, `days`). */
function inSeconds(option: string, value: unknown): number | undefined {
  if (typeof value !== 'number') return undefined;
  if (/Ms$/.test(option)) return value / 1000;
  if (/Seconds$/.test(option)) return value;
  if (/(^|\.)days$/.test(option)) return value * 86_400;
  return undefined;
}

/** What is wrong with a claim, or `undefined` when the code agrees. */
function disagreement(claim: Claim): string | undefined {
  const actual = codeDefault(claim.option);
  const said = `${claim.where}: \`${claim.option}\` is documented as ${claim.text}`;
  if (actual === undefined) return `${said}, but OTP_DEFAULTS holds no default for it`;
  if (claim.value !== undefined && !matches(claim.value, actual)) {
    return `${said}, but OTP_DEFAULTS gives ${JSON.stringify(actual)}`;
  }
  if (claim.seconds !== undefined) {
    const seconds = inSeconds(claim.option, actual);
    if (seconds === undefined) return `${said}: a duration for an option with no unit`;
    if (seconds !== claim.seconds) {
      return `${said}, but OTP_DEFAULTS gives ${JSON.stringify(actual)} (${seconds} s)`;
    }
  }
  return undefined;
}

/** Equal values; a documented object names some of the default's fields, each equal. */
function matches(documented: unknown, actual: unknown): boolean {
  if (Array.isArray(documented)) {
    return (
      Array.isArray(actual) &&
      documented.length === actual.length &&
      documented.every((item, index) => matches(item, actual[index]))
    );
  }
  if (typeof documented === 'object' && documented !== null) {
    return (
      typeof actual === 'object' &&
      actual !== null &&
      Object.entries(documented).every(([key, value]) =>
        matches(value, (actual as Record<string, unknown>)[key]),
      )
    );
  }
  return documented === actual;
}

describe('the options table of the docs and OTP_DEFAULTS', () => {
  const table = optionsTable();
  const documented = table.rows.flatMap(claims);

  it('reads the literal defaults of the options table', () => {
    expect(documented.length).toBeGreaterThanOrEqual(20);
  });

  it.each(documented.map((claim) => [claim.option, claim] as const))(
    '%s: the documented default is the one the code applies',
    (_option, claim) => {
      expect(disagreement(claim)).toBeUndefined();
    },
  );
});
