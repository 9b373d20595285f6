import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Stoplight Prism in proxy mode in front of a Twilio emulator, validating every request a client
 * makes and every answer the emulator gives against Twilio's official OpenAPI descriptions of
 * Verify v2 and Lookup v2 (from the `@twilio/cli-core` package, read from disk: nothing is
 * fetched). Everything listens on 127.0.0.1, and Prism forwards only to the upstream it is given.
 *
 * The client talks to {@link PrismConformance.url}, a small recorder that passes each exchange to
 * Prism and notes what Prism found: the `sl-violations` header it adds to forwarded answers, or
 * the problem document it answers itself (with `--errors`, an invalid request is not forwarded).
 *
 * Prism has two blind spots the checked copy of the descriptions and the recorder make up for: it
 * reads only the documented fields of a form body (so the recorder reports undocumented ones),
 * and it skips, without a word, every answer schema its validator cannot compile, which is the
 * case of Twilio's own Verify schemas (`nullable` without `type`; see `withoutUntypedNullable`).
 */

type Json = Record<string, unknown>;

/** One finding of Prism's validator. */
export interface PrismViolation {
  /** Where: `['request', 'body', 'To']`, `['response', 'body', 'status']`... */
  location: string[];
  /** `'Error'` or `'Warning'`. */
  severity: string;
  code?: string | number;
  message: string;
}

/** One request through the proxy and what Prism found in it and in its answer. */
export interface PrismExchange {
  method: string;
  path: string;
  /** The form body or query string the client sent. */
  params: Record<string, string>;
  /** Status the client received. */
  status: number;
  /** Whether Prism answered itself (an invalid request, or one no operation matches). */
  answeredByPrism: boolean;
  violations: PrismViolation[];
}

const requireFromHere = createRequire(import.meta.url);

/** Directory of the OpenAPI descriptions Twilio ships in `@twilio/cli-core`. */
function twilioSpecDirectory(): string {
  const packageJson = requireFromHere.resolve('@twilio/cli-core/package.json');
  return join(dirname(packageJson), 'src', 'services', 'twilio-api');
}

/** The Prism CLI script (what `node_modules/.bin/prism` runs). */
function prismCli(): string {
  const packageJson = requireFromHere.resolve('@stoplight/prism-cli/package.json');
  const { bin } = JSON.parse(readFileSync(packageJson, 'utf8')) as { bin: { prism: string } };
  return join(dirname(packageJson), bin.prism);
}

function readSpec(name: string): Json {
  return JSON.parse(readFileSync(join(twilioSpecDirectory(), name), 'utf8')) as Json;
}

/** The operations a phone sign-in can call, by path. */
const VERIFY_PATHS = [
  '/v2/Services/{ServiceSid}/Verifications',
  '/v2/Services/{ServiceSid}/Verifications/{Sid}',
  '/v2/Services/{ServiceSid}/VerificationCheck',
];
const LOOKUP_PATHS = ['/v2/PhoneNumbers/{PhoneNumber}'];
const E164_PATTERN = '^\\+[1-9]\\d{1,14}$';

function asJson(value: unknown): Json {
  return value as Json;
}

function schemaRef(schema: Json, spec: Json): Json {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return asJson(asJson(asJson(spec.components).schemas)[name]);
}

/**
 * Makes a response schema exact: every documented property required, none other allowed, and
 * nullable where Twilio's own examples for the operation show `null` (the official description
 * leaves `nullable` off several properties its examples, and the live API, answer as `null`).
 * Nested objects named by `$ref` are inlined and made exact in the same way.
 */
function exactSchema(schema: Json, spec: Json, examples: unknown[]): Json {
  const resolved = schemaRef(schema, spec);
  if (resolved.type !== 'object' || !resolved.properties) return withoutUntypedNullable(resolved);
  const properties: Json = {};
  for (const [name, property] of Object.entries(asJson(resolved.properties))) {
    const values = examples
      .filter((example) => example !== null && typeof example === 'object')
      .map((example) => asJson(example)[name]);
    const nested = exactSchema(asJson(property), spec, values);
    if (nested.type !== undefined && values.some((value) => value === null)) nested.nullable = true;
    properties[name] = nested;
  }
  return {
    ...resolved,
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

/**
 * The request body schema of an operation, made exact: no parameter the description does not
 * list (Twilio ignores unknown parameters, so a misspelt one would silently turn a feature off),
 * `To` in E.164, and `Channel` one of the channels the description enumerates.
 */
function exactRequestBody(operation: Json, spec: Json, required: string[] = []): void {
  const body = asJson(operation.requestBody);
  const media = asJson(asJson(body.content)['application/x-www-form-urlencoded']);
  const schema = asJson(media.schema);
  const properties = asJson(schema.properties);
  if (properties.To) properties.To = { ...asJson(properties.To), pattern: E164_PATTERN };
  if (properties.Channel) {
    const channels = asJson(asJson(asJson(spec.components).schemas).verification_enum_channel);
    properties.Channel = { ...asJson(properties.Channel), enum: channels.enum };
  }
  schema.additionalProperties = false;
  schema.required = [...new Set([...(asArray(schema.required) as string[]), ...required])];
}

/**
 * A copy of `schema` without `nullable` when it has no `type`. Prism's validator (ajv) cannot
 * compile `nullable` without `type` and then skips the check without a word; a schema without a
 * type allows `null` anyway.
 */
function withoutUntypedNullable(schema: Json): Json {
  const copy = { ...schema };
  if (copy.type === undefined) delete copy.nullable;
  return copy;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Makes every response of an operation exact, and gives error statuses Twilio's error body. */
function exactResponses(operation: Json, spec: Json, errorSchema: Json): void {
  const responses = asJson(operation.responses);
  for (const response of Object.values(responses)) {
    const media = asJson(asJson(asJson(response).content)['application/json']);
    const examples = Object.values(asJson(media.examples ?? {})).map(
      (example) => asJson(example).value,
    );
    media.schema = exactSchema(asJson(media.schema), spec, examples);
  }
  responses.default = {
    description: 'A Twilio error',
    content: { 'application/json': { schema: errorSchema } },
  };
}

/**
 * One OpenAPI document for Prism: the Verify v2 and Lookup v2 operations a phone sign-in uses,
 * as Twilio describes them, made exact (see {@link exactRequestBody}, {@link exactSchema}); other
 * paths are left out, so that a call to any of them is reported as matching no operation.
 */
export function conformanceSpec(): Json {
  const verify = readSpec('twilio_verify_v2.json');
  const lookups = readSpec('twilio_lookups_v2.json');
  const verifyPaths = asJson(verify.paths);
  const lookupPaths = asJson(lookups.paths);

  // Twilio's error body, as the description gives it for the 429 of a verification start.
  const start = asJson(asJson(verifyPaths[VERIFY_PATHS[0]]).post);
  const tooMany = asJson(asJson(asJson(start.responses)['429']).content)['application/json'];
  const errorExamples = Object.values(asJson(asJson(tooMany).examples)).map(
    (example) => asJson(example).value,
  );
  const errorSchema = exactSchema(asJson(asJson(tooMany).schema), verify, errorExamples);

  const paths: Json = {};
  for (const path of VERIFY_PATHS) paths[path] = structuredClone(verifyPaths[path]);
  for (const path of LOOKUP_PATHS) paths[path] = structuredClone(lookupPaths[path]);
  const document: Json = {
    ...verify,
    info: { ...asJson(verify.info), title: 'Twilio Verify v2 and Lookup v2 (checked copy)' },
    paths,
    components: {
      ...asJson(verify.components),
      schemas: {
        ...asJson(asJson(lookups.components).schemas),
        ...asJson(asJson(verify.components).schemas),
      },
    },
  };
  for (const name of Object.keys(asJson(asJson(lookups.components).schemas))) {
    if (asJson(asJson(verify.components).schemas)[name]) {
      throw new Error(`Verify and Lookup both describe a schema named ${name}`);
    }
  }

  const verification = asJson(paths[VERIFY_PATHS[1]]);
  exactRequestBody(asJson(asJson(paths[VERIFY_PATHS[0]]).post), document);
  exactRequestBody(asJson(verification.post), document);
  exactRequestBody(asJson(asJson(paths[VERIFY_PATHS[2]]).post), document, ['Code']);
  for (const path of [...VERIFY_PATHS, ...LOOKUP_PATHS]) {
    for (const method of ['get', 'post']) {
      const operation = asJson(paths[path])[method];
      if (operation) exactResponses(asJson(operation), document, errorSchema);
    }
  }
  return document;
}

/** The parameter names an operation documents, with a pattern matching its concrete paths. */
interface DocumentedOperation {
  method: string;
  path: RegExp;
  where: 'body' | 'query';
  names: Set<string>;
}

function documentedOperations(document: Json): DocumentedOperation[] {
  const operations: DocumentedOperation[] = [];
  for (const [template, item] of Object.entries(asJson(document.paths))) {
    const path = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const method of ['get', 'post']) {
      const operation = asJson(item)[method];
      if (!operation) continue;
      const body = asJson(asJson(asJson(operation).requestBody ?? {}).content ?? {});
      const form = body['application/x-www-form-urlencoded'];
      const names = form
        ? Object.keys(asJson(asJson(asJson(form).schema).properties))
        : (asArray(asJson(operation).parameters) as Json[])
            .filter((parameter) => parameter.in === 'query')
            .map((parameter) => String(parameter.name));
      operations.push({
        method: method.toUpperCase(),
        path,
        where: form ? 'body' : 'query',
        names: new Set(names),
      });
    }
  }
  return operations;
}

/**
 * Parameters an operation does not document. Prism reads only the documented fields of a form
 * body, so it cannot see these; Twilio ignores them, which turns a misspelt option off silently.
 */
function undocumentedParameters(
  operations: DocumentedOperation[],
  method: string,
  path: string,
  params: Record<string, string>,
): PrismViolation[] {
  const operation = operations.find((op) => op.method === method && op.path.test(path));
  if (!operation) return [];
  return Object.keys(params)
    .filter((name) => !operation.names.has(name))
    .map((name) => ({
      location: ['request', operation.where, name],
      severity: 'Error',
      code: 'additionalProperties',
      message: `Request ${operation.where} has a parameter the description does not list: ${name}`,
    }));
}

function parseViolations(header: string | string[] | undefined): PrismViolation[] {
  if (typeof header !== 'string') return [];
  try {
    return JSON.parse(header) as PrismViolation[];
  } catch {
    return [{ location: [], severity: 'Error', message: header }];
  }
}

function paramsOf(method: string, url: URL, body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(method === 'POST' ? body : url.search));
}

async function readBody(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Prism (proxy mode, `--errors`) and its recorder, both on 127.0.0.1. */
export class PrismConformance {
  private readonly log: PrismExchange[] = [];
  private prismUrl = '';
  private recorder?: Server;
  private recorderPort = 0;
  private output = '';

  private constructor(
    private readonly prism: ChildProcess,
    private readonly specDirectory: string,
    private readonly operations: DocumentedOperation[],
  ) {}

  /**
   * Starts Prism on {@link conformanceSpec} in front of `upstream` (a loopback URL) and the
   * recorder in front of Prism; resolves once both listen.
   */
  static async start(upstream: string, timeoutMs = 90_000): Promise<PrismConformance> {
    const target = new URL(upstream);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
      throw new Error(`Prism's upstream must be on this machine, got ${upstream}`);
    }
    const specDirectory = mkdtempSync(join(tmpdir(), 'otp-prism-'));
    const specPath = join(specDirectory, 'twilio-verify-lookup.json');
    const document = conformanceSpec();
    writeFileSync(specPath, JSON.stringify(document));
    const child = spawn(
      process.execPath,
      [prismCli(), 'proxy', specPath, upstream, '--errors', '--host', '127.0.0.1', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    const conformance = new PrismConformance(child, specDirectory, documentedOperations(document));
    try {
      conformance.prismUrl = await conformance.listening(timeoutMs);
      await conformance.startRecorder();
    } catch (error) {
      await conformance.stop();
      throw error;
    }
    return conformance;
  }

  /** Base URL for the client (`twilio.baseUrl`), e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    return `http://127.0.0.1:${this.recorderPort}`;
  }

  /** Every exchange so far, oldest first. */
  exchanges(): PrismExchange[] {
    return this.log.map((exchange) => ({ ...exchange, violations: [...exchange.violations] }));
  }

  /** Every violation so far, each with its request's method, path and status. */
  violations(): (PrismViolation & { method: string; path: string; status: number })[] {
    return this.log.flatMap(({ method, path, status, violations }) =>
      violations.map((violation) => ({ method, path, status, ...violation })),
    );
  }

  /** Forgets the exchanges recorded so far. */
  clear(): void {
    this.log.length = 0;
  }

  /** What Prism printed, for a failing test's message. */
  get logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const recorder = this.recorder;
    this.recorder = undefined;
    if (recorder) {
      await new Promise<void>((resolve) => {
        recorder.close(() => resolve());
        recorder.closeAllConnections();
      });
    }
    if (this.prism.exitCode === null && this.prism.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.prism.once('exit', () => resolve()));
      this.prism.kill('SIGTERM');
      await exited;
    }
    rmSync(this.specDirectory, { recursive: true, force: true });
  }

  private listening(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Prism did not start in ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString('utf8');
        const match = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      this.prism.stdout?.on('data', onData);
      this.prism.stderr?.on('data', onData);
      this.prism.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Prism exited with ${code}:\n${this.output}`));
      });
    });
  }

  private async startRecorder(): Promise<void> {
    const prism = new URL(this.prismUrl);
    const server = createServer((req, res) => {
      void (async () => {
        const body = await readBody(req);
        const method = (req.method ?? 'GET').toUpperCase();
        const url = new URL(req.url ?? '/', this.prismUrl);
        const forwarded = request(
          {
            host: prism.hostname,
            port: prism.port,
            method,
            path: req.url,
            headers: { ...req.headers, host: prism.host },
          },
          (answer) => {
            void readBody(answer).then((answerBody) => {
              const status = answer.statusCode ?? 0;
              const problem = String(answer.headers['content-type']).startsWith(
                'application/problem+json',
              );
              const params = paramsOf(method, url, body.toString('utf8'));
              const violations = [
                ...undocumentedParameters(this.operations, method, url.pathname, params),
                ...parseViolations(answer.headers['sl-violations']),
              ];
              if (problem && answer.headers['sl-violations'] === undefined) {
                const detail = JSON.parse(answerBody.toString('utf8')) as Json;
                // Prism refused the request itself (an answer it refuses comes with the header):
                // its findings are about the request.
                const found = (asArray(detail.validation) as PrismViolation[]).map((v) => ({
                  ...v,
                  location: ['request', ...asArray(v.location).map(String)],
                }));
                violations.push(
                  ...(found.length > 0
                    ? found
                    : [
                        { location: ['request'], severity: 'Error', message: String(detail.title) },
                      ]),
                );
              }
              this.log.push({
                method,
                path: url.pathname,
                params,
                status,
                answeredByPrism: problem,
                violations,
              });
              res.writeHead(status, answer.headers);
              res.end(answerBody);
            });
          },
        );
        forwarded.on('error', () => res.destroy());
        forwarded.end(body);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.recorder = server;
    this.recorderPort = (server.address() as AddressInfo).port;
  }
}
