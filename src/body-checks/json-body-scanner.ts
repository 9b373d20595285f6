/** How deep a body of the module's routes may nest objects and arrays (the bodies are flat). */
export const MAX_JSON_DEPTH = 32;

/** What a scan of a JSON text found wrong with it. */
export type JsonBodyProblem = 'duplicate-key' | 'too-deep';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** An open object (with the keys seen so far) or an open array (`keys` undefined). */
interface Container {
  keys: Set<string> | undefined;
  /** In an object: whether the next string is a key. */
  expectsKey: boolean;
}

/**
 * Reads UTF-8 JSON text chunk by chunk, in one pass and without recursion, and reports the first
 * object key that appears twice in one object (`"a"` and `"\u0061"` are the same key) or the
 * first container nested deeper than `maxDepth`. It checks only that; whether the text is JSON at
 * all is the parser's business, and what the scanner reports about text that is not has no
 * meaning.
 *
 * ```ts
 * const scanner = new JsonBodyScanner();
 * for (const chunk of chunks) scanner.write(chunk);
 * scanner.problem; // undefined, 'duplicate-key' or 'too-deep'
 * ```
 */
export class JsonBodyScanner {
  private readonly containers: Container[] = [];
  private inString = false;
  private escaped = false;
  /** The raw bytes of the key being read (across chunks), when the current string is a key. */
  private keyParts: Buffer[] | undefined;
  private keyHasEscape = false;
  private found: JsonBodyProblem | undefined;

  constructor(private readonly maxDepth = MAX_JSON_DEPTH) {}

  /** The first problem found so far; once set, later chunks are not read. */
  get problem(): JsonBodyProblem | undefined {
    return this.found;
  }

  /** Reads the next chunk of the text. */
  write(chunk: Uint8Array | string): void {
    if (this.found !== undefined) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : asBuffer(chunk);
    let keyStart = 0;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
        } else if (byte === BACKSLASH) {
          this.escaped = true;
          this.keyHasEscape = true;
        } else if (byte === QUOTE) {
          this.inString = false;
          if (this.keyParts !== undefined) {
            this.keyParts.push(bytes.subarray(keyStart, i));
            this.endKey();
            if (this.found !== undefined) return;
          }
        }
        continue;
      }
      switch (byte) {
        case QUOTE: {
          this.inString = true;
          const top = this.top();
          if (top?.keys !== undefined && top.expectsKey) {
            this.keyParts = [];
            this.keyHasEscape = false;
            keyStart = i + 1;
          }
          break;
        }
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.containers.length >= this.maxDepth) {
            this.found = 'too-deep';
            return;
          }
          this.containers.push({
            keys: byte === OPEN_OBJECT ? new Set() : undefined,
            expectsKey: true,
          });
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.containers.pop();
          break;
        case COLON:
          this.setExpectsKey(false);
          break;
        case COMMA:
          this.setExpectsKey(true);
          break;
      }
    }
    if (this.keyParts !== undefined) this.keyParts.push(bytes.subarray(keyStart));
  }

  private top(): Container | undefined {
    return this.containers[this.containers.length - 1];
  }

  private setExpectsKey(expectsKey: boolean): void {
    const top = this.top();
    if (top?.keys !== undefined) top.expectsKey = expectsKey;
  }

  private endKey(): void {
    const raw = Buffer.concat(this.keyParts!).toString('utf8');
    this.keyParts = undefined;
    const key = this.keyHasEscape ? unescapeJsonString(raw) : raw;
    const keys = this.top()!.keys!;
    if (keys.has(key)) {
      this.found = 'duplicate-key';
      return;
    }
    keys.add(key);
  }
}

/** Scans a whole JSON text at once; see `JsonBodyScanner`. */
export function scanJson(text: Uint8Array | string, maxDepth = MAX_JSON_DEPTH) {
  const scanner = new JsonBodyScanner(maxDepth);
  scanner.write(text);
  return scanner.problem;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}

/** The value of a JSON string's contents; a malformed one (the parser refuses it) stays raw. */
function unescapeJsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/**
 * Whether a parsed JSON value nests objects and arrays more than `maxDepth` deep (the value
 * itself being level 1), found without recursion.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}
