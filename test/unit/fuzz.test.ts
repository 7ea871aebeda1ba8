import assert from 'node:assert/strict';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer, maxHeaderSize } from 'node:http';
import { AddressInfo } from 'node:net';
import { ClientLogger, FixedQuery, RawPage, TcxcClient } from '../../src/client/client';
import { TcxcErrorKind, isTcxcError } from '../../src/client/errors';
import { Cdr, toCdr } from '../../src/model/cdr';
import { checkCharge } from '../../src/model/charge';
import { CdrCollection } from '../../src/model/grouping';
import { summarize } from '../../src/model/summary';
import { cdrDetails, toPanelRow } from '../../src/panel/rows';
import { PanelRow } from '../../src/panel/protocol';
import {
  API_KEY_MARKER,
  FuzzCase,
  FuzzCorpus,
  FuzzRandom,
  REQUEST_BODY_MARKER,
  ResponsePlan,
  SIGNATURE_MARKER,
} from './fuzzCorpus';

/*
 * Sends generated and mutated call-history responses through a real TcxcClient over loopback
 * HTTP, then through the model and the panel rows. Every failure must be a TcxcError whose
 * message is short and contains no secret, and nothing may throw on the way to the panel.
 *
 * TCXC_FUZZ_SEED sets the seed (decimal or 0x hex) and TCXC_FUZZ_CASES the number of cases.
 * TCXC_FUZZ_CASE runs one case alone, as the failure report prints it.
 */

const DEFAULT_SEED = 0x5eed7c3c;
const DEFAULT_CASES = 10_000;

/** Maximum length of an error message: about a screen of text in a notification or the log. */
const MAX_MESSAGE_LENGTH = 2_000;

/** The kinds of TcxcErrorKind in errors.ts. A kind that is not listed here fails the run. */
const KNOWN_KINDS: readonly TcxcErrorKind[] = [
  'auth',
  'api',
  'rateLimited',
  'http',
  'notJson',
  'badResponse',
  'tooLarge',
  'timeout',
  'cancelled',
  'network',
];

const QUERY: FixedQuery = {
  prefix: '44',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 0, 1)),
  dateTo: new Date(Date.UTC(2024, 0, 8)),
};

const WINDOW = { offset: 0, pageSize: 100 };

const PATH = '/buyers/callhistory';

/** Reads a whole number from the environment, in decimal or with a 0x prefix in hex. */
function integerFromEnvironment(name: string, fallback: number): number {
  const text = process.env[name]?.trim();
  if (text === undefined || text === '') {
    return fallback;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Invalid ${name} "${text}": expected a whole number from 0`);
  }
  return value;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** Replaces every occurrence of `marker` in `bytes`. */
function replaceBytes(bytes: Buffer, marker: string, replacement: string): Buffer {
  const needle = Buffer.from(marker, 'utf8');
  let index = bytes.indexOf(needle);
  if (index < 0) {
    return bytes;
  }
  const parts: Buffer[] = [];
  let start = 0;
  while (index >= 0) {
    parts.push(bytes.subarray(start, index), Buffer.from(replacement, 'utf8'));
    start = index + needle.length;
    index = bytes.indexOf(needle, start);
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

/** The secrets and request text that a response may echo in place of the corpus markers. */
interface Echo {
  readonly apiKey: string;
  readonly signature: string;
  readonly requestBody: string;
}

function fillBody(body: Buffer, echo: Echo): Buffer {
  let filled = replaceBytes(body, API_KEY_MARKER, echo.apiKey);
  filled = replaceBytes(filled, SIGNATURE_MARKER, echo.signature);
  return replaceBytes(filled, REQUEST_BODY_MARKER, echo.requestBody);
}

function fillHeader(value: string, echo: Echo): string {
  return value
    .split(API_KEY_MARKER)
    .join(echo.apiKey)
    .split(SIGNATURE_MARKER)
    .join(echo.signature)
    .split(REQUEST_BODY_MARKER)
    .join(echo.requestBody);
}

/**
 * A node:http server on 127.0.0.1 that responds to each request with the planned response and
 * records the signature that the request carried.
 */
class FuzzServer {
  /** The response to the next request. */
  plan: ResponsePlan | undefined;
  /** The `signature` form field of the last request. */
  lastSignature: string | undefined;
  /** Failures of the server itself, which are faults of this test rather than of the client. */
  readonly problems: string[] = [];
  private readonly server: Server;

  constructor(private readonly apiKey: string) {
    this.server = createServer((request, response) => {
      void this.receive(request, response);
    });
    // The client keeps its connection open between cases, so the server must not close it first.
    this.server.keepAliveTimeout = 60_000;
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${PATH}`;
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) {
        chunks.push(chunk as Buffer);
      }
      const requestBody = Buffer.concat(chunks).toString('utf8');
      const signature = new URLSearchParams(requestBody).get('signature') ?? '';
      this.lastSignature = signature;
      if (requestBody.includes(this.apiKey)) {
        this.problems.push('a request body contained the API key');
      }
      const plan = this.plan;
      if (plan === undefined) {
        this.problems.push('a request arrived with no planned response');
        response.destroy();
        return;
      }
      this.respond(response, plan, { apiKey: this.apiKey, signature, requestBody });
    } catch (error) {
      this.problems.push(`the test server failed: ${String(error)}`);
      response.destroy();
    }
  }

  private respond(response: ServerResponse, plan: ResponsePlan, echo: Echo): void {
    if (plan.delivery === 'noResponse') {
      response.socket?.destroy();
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(plan.headers)) {
      headers[name] =
        typeof value === 'string' ? fillHeader(value, echo) : value.map((v) => fillHeader(v, echo));
    }
    const body = fillBody(plan.body, echo);
    if (plan.delivery === 'cutOff') {
      // The announced length is always above what is sent, so the body is always incomplete.
      headers['content-length'] = String(body.length + 1);
      response.writeHead(plan.status, headers);
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        response.socket?.destroy();
      });
      return;
    }
    response.writeHead(plan.status, headers);
    response.end(body);
  }
}

/** Collects the log lines of one case. */
class CaseLogger implements ClientLogger {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(message);
  }

  warn(message: string): void {
    this.lines.push(message);
  }
}

/** What a correct client does with a response, from the documented contract of the API. */
type Expectation =
  | { readonly outcome: 'records'; readonly count: number }
  | { readonly outcome: 'failure'; readonly kinds?: readonly TcxcErrorKind[] };

/**
 * Derives the expected outcome: a non-2xx status or a broken connection is a failure, and a 2xx
 * body that parses as `{"status":"success","cdrs":[...]}` (after one optional UTF-8 BOM) returns
 * exactly those records. Any other 2xx body is a failure.
 */
function expectationOf(response: ResponsePlan): Expectation {
  // undici 7 rejects response headers above Node's http.maxHeaderSize (16 KiB by default) as a
  // network error. This sum leaves out the status line and the headers that Node adds, so it is
  // an estimate, but the corpus's long headers are 10 KB and 20 KB, far from the limit.
  const headerBytes = Object.entries(response.headers)
    .map(([name, value]) => name.length + [value].flat().join('').length)
    .reduce((sum, size) => sum + size, 0);
  if (response.delivery !== 'complete' || headerBytes > maxHeaderSize) {
    return { outcome: 'failure', kinds: ['network'] };
  }

  if (response.status === 429) {
    return { outcome: 'failure', kinds: ['rateLimited'] };
  }
  if (response.status < 200 || response.status > 299) {
    return { outcome: 'failure', kinds: ['http', 'auth'] };
  }
  if (response.status === 204) {
    return { outcome: 'failure' };
  }

  const text = response.body.toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text);
  } catch {
    return { outcome: 'failure' };
  }
  const fields = document as { status?: unknown; cdrs?: unknown } | null;
  if (
    typeof fields === 'object' &&
    fields !== null &&
    !Array.isArray(fields) &&
    fields.status === 'success' &&
    Array.isArray(fields.cdrs)
  ) {
    return { outcome: 'records', count: fields.cdrs.length };
  }
  return { outcome: 'failure' };
}

/** Describes a thrown value for the report: its class and the first line of its message. */
function describeThrown(error: unknown): string {
  if (error instanceof Error) {
    const firstLine = error.message.split('\n')[0];
    const message = firstLine.length > 120 ? `${firstLine.slice(0, 120)}...` : firstLine;
    return `${error.constructor.name}: ${message}`;
  }
  return `non-Error ${typeof error}: ${String(error).slice(0, 120)}`;
}

/** Shows the start of a body as a JSON string, so control characters stay visible. */
function describeBody(body: Buffer): string {
  const start = JSON.stringify(body.subarray(0, 200).toString('utf8'));
  return `${body.length} bytes: ${start}${body.length > 200 ? '...' : ''}`;
}

/** A problem found in one case. */
interface Defect {
  readonly stage: string;
  readonly problem: string;
  readonly fuzzCase: FuzzCase;
}

/** Defects grouped by stage and problem, with the first case of each group kept for the report. */
class DefectLog {
  private readonly groups = new Map<string, { count: number; first: Defect }>();
  total = 0;

  constructor(private readonly seed: number) {}

  add(stage: string, problem: string, fuzzCase: FuzzCase): void {
    this.total++;
    const key = `${stage}: ${problem}`;
    const group = this.groups.get(key);
    if (group) {
      group.count++;
    } else {
      this.groups.set(key, { count: 1, first: { stage, problem, fuzzCase } });
    }
  }

  report(): string {
    const lines = [`${this.total} defects in ${this.groups.size} groups, seed ${hex(this.seed)}:`];
    for (const [key, { count, first }] of this.groups) {
      const { caseNumber, labels, response } = first.fuzzCase;
      lines.push(
        `- ${key} (${count} cases, first case ${caseNumber})`,
        `  case: ${labels.join('; ')}`,
        `  body: ${describeBody(response.body)}`,
        `  rerun: TCXC_FUZZ_SEED=${hex(this.seed)} TCXC_FUZZ_CASE=${caseNumber}`,
      );
    }
    return lines.join('\n');
  }
}

/** Counts of the outcomes of a run, for the summary line. */
class RunStatistics {
  cases = 0;
  successes = 0;
  records = 0;
  readonly failuresByKind = new Map<string, number>();

  countFailure(kind: string): void {
    this.failuresByKind.set(kind, (this.failuresByKind.get(kind) ?? 0) + 1);
  }

  describe(): string {
    const kinds = [...this.failuresByKind]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
    return (
      `${this.cases} cases: ${this.successes} returned records (${this.records} in all), ` +
      `failures by kind: ${kinds || 'none'}`
    );
  }
}

/** Runs the client and the model on one case and logs every defect. */
class CaseRunner {
  constructor(
    private readonly client: TcxcClient,
    private readonly server: FuzzServer,
    private readonly logger: CaseLogger,
    private readonly apiKey: string,
    private readonly defects: DefectLog,
    private readonly statistics: RunStatistics,
  ) {}

  async run(fuzzCase: FuzzCase): Promise<void> {
    this.server.plan = fuzzCase.response;
    this.server.lastSignature = undefined;
    this.logger.lines.length = 0;
    this.statistics.cases++;
    const expectation = expectationOf(fuzzCase.response);
    let page: RawPage | undefined;
    let failure: unknown;
    try {
      page = await this.client.fetchPage(QUERY, WINDOW);
    } catch (error) {
      failure = error;
    }
    this.checkLog(fuzzCase);
    if (page === undefined) {
      this.checkFailure(failure, expectation, fuzzCase);
      return;
    }
    this.statistics.successes++;
    this.statistics.records += page.records.length;
    if (expectation.outcome === 'failure') {
      this.defects.add('fetchPage', 'returned records for a response that is an error', fuzzCase);
    } else if (page.records.length !== expectation.count) {
      this.defects.add('fetchPage', 'returned a different number of records', fuzzCase);
    }
    this.checkModel(page.records, fuzzCase);
  }

  private secretIn(text: string): string | undefined {
    if (text.includes(this.apiKey)) {
      return 'the API key';
    }
    const signature = this.server.lastSignature;
    if (signature && text.includes(signature)) {
      return 'the signature';
    }
    return undefined;
  }

  private checkLog(fuzzCase: FuzzCase): void {
    for (const line of this.logger.lines) {
      const secret = this.secretIn(line);
      if (secret !== undefined) {
        this.defects.add('client log', `a line contains ${secret}`, fuzzCase);
      }
    }
  }

  private checkFailure(error: unknown, expectation: Expectation, fuzzCase: FuzzCase): void {
    if (!isTcxcError(error)) {
      this.statistics.countFailure('(untyped)');
      this.defects.add('fetchPage', `untyped error ${describeThrown(error)}`, fuzzCase);
      return;
    }
    const { kind, message } = error;
    this.statistics.countFailure(kind);
    if (!KNOWN_KINDS.includes(kind)) {
      this.defects.add('fetchPage', `unknown kind ${String(kind)}`, fuzzCase);
    }
    if (typeof message !== 'string' || message.trim() === '') {
      this.defects.add('fetchPage', `empty message for kind ${kind}`, fuzzCase);
      return;
    }
    if (message.length > MAX_MESSAGE_LENGTH) {
      this.defects.add('fetchPage', `message over ${MAX_MESSAGE_LENGTH} chars (${kind})`, fuzzCase);
    }
    const secret = this.secretIn(message);
    if (secret !== undefined) {
      this.defects.add('fetchPage', `message of kind ${kind} contains ${secret}`, fuzzCase);
    }
    if (error.attempts !== 1) {
      this.defects.add('fetchPage', `${error.attempts} attempts with retries off`, fuzzCase);
    }
    if (expectation.outcome === 'records') {
      this.defects.add('fetchPage', `rejected a valid success response as ${kind}`, fuzzCase);
    } else if (expectation.kinds !== undefined && !expectation.kinds.includes(kind)) {
      const expected = expectation.kinds.join(' or ');
      this.defects.add('fetchPage', `kind ${kind}, expected ${expected}`, fuzzCase);
    }
  }

  /** Runs `action`, and logs what it throws as a defect of `stage`. */
  private attempt<T>(stage: string, fuzzCase: FuzzCase, action: () => T): T | undefined {
    try {
      return action();
    } catch (error) {
      this.defects.add(stage, `threw ${describeThrown(error)}`, fuzzCase);
      return undefined;
    }
  }

  private checkInvariant(condition: boolean, description: string, fuzzCase: FuzzCase): void {
    if (!condition) {
      this.defects.add('invariant', description, fuzzCase);
    }
  }

  /** Types, groups and summarizes the records and serializes what the panel receives. */
  private checkModel(records: readonly unknown[], fuzzCase: FuzzCase): void {
    const cdrs: Cdr[] = [];
    for (const record of records) {
      const cdr = this.attempt('toCdr', fuzzCase, () => toCdr(record));
      if (cdr !== undefined) {
        cdrs.push(cdr);
      }
    }

    const collection = new CdrCollection();
    const change = this.attempt('CdrCollection.add', fuzzCase, () => collection.add(cdrs));
    if (change !== undefined) {
      this.checkInvariant(
        change.added.length + change.duplicates === cdrs.length,
        'added plus duplicates differs from the records',
        fuzzCase,
      );
    }
    const groupedCalls = this.attempt('CdrCollection.groups', fuzzCase, () =>
      collection.groups().reduce((sum, group) => sum + group.totals.calls, 0),
    );
    this.checkInvariant(
      groupedCalls === undefined || groupedCalls === collection.size,
      'date group totals differ from the collection size',
      fuzzCase,
    );

    const rows: PanelRow[] = [];
    for (const cdr of cdrs) {
      this.attempt('checkCharge', fuzzCase, () => checkCharge(cdr));
      const row = this.attempt('toPanelRow', fuzzCase, () => toPanelRow(cdr));
      if (row !== undefined) {
        rows.push(row);
      }
      const details = this.attempt('cdrDetails', fuzzCase, () => cdrDetails(cdr));
      if (details !== undefined) {
        const json = this.attempt('JSON.stringify(details)', fuzzCase, () =>
          JSON.stringify(details),
        );
        this.checkInvariant(typeof json === 'string', 'details did not serialize', fuzzCase);
      }
    }
    const rowsJson = this.attempt('JSON.stringify(rows)', fuzzCase, () => JSON.stringify(rows));
    this.checkInvariant(typeof rowsJson === 'string', 'rows did not serialize', fuzzCase);

    const summary = this.attempt('summarize', fuzzCase, () => summarize(rows));
    if (summary !== undefined) {
      this.checkInvariant(
        summary.attempts === rows.length,
        'summary attempts differ from the rows',
        fuzzCase,
      );
    }
  }
}

describe('fuzz: client and model on mutated responses', () => {
  const seed = integerFromEnvironment('TCXC_FUZZ_SEED', DEFAULT_SEED);
  const caseCount = integerFromEnvironment('TCXC_FUZZ_CASES', DEFAULT_CASES);
  const onlyCase = process.env.TCXC_FUZZ_CASE?.trim()
    ? integerFromEnvironment('TCXC_FUZZ_CASE', 0)
    : undefined;
  const keyRandom = new FuzzRandom(seed);
  const keyDigits = [1, 2, 3, 4].map(() => hex(keyRandom.int(0, 0xffffffff)).slice(2));
  // A key that no response contains by chance, so finding it in a message means a leak.
  const apiKey = `fuzz-secret-key-${keyDigits.join('')}`;

  let server: FuzzServer;
  let client: TcxcClient;
  const logger = new CaseLogger();

  before(async () => {
    server = new FuzzServer(apiKey);
    await server.listen();
    client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: 'fuzz-buyer', apiKey },
      connectTimeoutMs: 5_000,
      responseTimeoutMs: 5_000,
      logger,
      // Each case is one request, so the server's planned response stays in step. The instant
      // sleep keeps a run fast should a retry still happen.
      retry: { maxRetries: 0 },
      sleep: () => Promise.resolve(),
    });
  });

  after(async () => {
    await client?.dispose();
    await server?.close();
  });

  it('types every failure over loopback HTTP', async function () {
    // A guard against a hang, not a speed check.
    this.timeout(600_000);
    const corpus = new FuzzCorpus(seed);
    const defects = new DefectLog(seed);
    const statistics = new RunStatistics();
    const runner = new CaseRunner(client, server, logger, apiKey, defects, statistics);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    const started = performance.now();
    try {
      const first = onlyCase ?? 0;
      const last = onlyCase ?? caseCount - 1;
      for (let caseNumber = first; caseNumber <= last; caseNumber++) {
        const fuzzCase = corpus.caseAt(caseNumber);
        if (onlyCase !== undefined) {
          console.log(`case ${caseNumber}: ${fuzzCase.labels.join('; ')}`);
          console.log(`body: ${describeBody(fuzzCase.response.body)}`);
        }
        await runner.run(fuzzCase);
      }
      // Lets a rejection from the last case surface before the listener goes.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz seed ${hex(seed)}: ${statistics.describe()}; all over loopback HTTP, cases 0 to ` +
        `${corpus.systematicCount - 1} systematic; ${defects.total} defects; ${seconds} s`,
    );

    assert.deepEqual(server.problems, [], 'the test server itself failed');
    assert.deepEqual(rejections.map(describeThrown), [], 'unhandled rejections during the run');
    assert.equal(defects.total, 0, defects.report());
  });
});
