/**
 * Inputs of the fuzz test in fuzz.test.ts: a seeded random source, valid call-history responses,
 * and the mutations applied to them. Every case is a function of the seed and the case number
 * alone, so one failing case can be rebuilt without running the cases before it.
 */
import { generateCdrs } from '../../src/emulator/dataset';

/**
 * The xorshift32 generator, so the fuzz test does not depend on the emulator's random source.
 * Not for cryptography.
 */
export class FuzzRandom {
  private state: number;

  constructor(seed: number) {
    // xorshift32 stays at 0 forever, so a zero seed is replaced with a fixed odd constant.
    this.state = seed >>> 0 || 0x2545f491;
  }

  /** Returns the next value in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }

  /** Returns a whole number in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/**
 * Derives the seed of one case from the run's seed and the case number with the 32-bit finalizer
 * of MurmurHash3, so neighbouring case numbers get unrelated streams.
 */
export function caseSeed(seed: number, caseNumber: number): number {
  let hash = (seed ^ Math.imul(caseNumber + 1, 0x9e3779b1)) >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Text that the test server replaces with the API key before it sends a response. */
export const API_KEY_MARKER = '{{api-key}}';
/** Text that the test server replaces with the signature of the request it responds to. */
export const SIGNATURE_MARKER = '{{signature}}';
/** Text that the test server replaces with the whole form body of the request it responds to. */
export const REQUEST_BODY_MARKER = '{{request-body}}';

/** How the test server delivers a response. */
export type Delivery =
  /** Status, headers and the whole body. */
  | 'complete'
  /** Status and headers with a Content-Length above the body size, then the socket is closed. */
  | 'cutOff'
  /** The socket is closed after the request arrives, before any response byte. */
  | 'noResponse';

/** One HTTP response as the test server sends it. */
export interface ResponsePlan {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
  readonly delivery: Delivery;
}

/** One generated input and what it was built from. */
export interface FuzzCase {
  readonly caseNumber: number;
  /** The base response and each mutation applied to it, in order, for the failure report. */
  readonly labels: readonly string[];
  readonly response: ResponsePlan;
}

/** JSON text written into a document as it is, for tokens that JSON.stringify cannot produce. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JSON object written with its entries in order, repeated names included. */
export class DuplicateKeys {
  constructor(readonly entries: readonly (readonly [string, JsonInput])[]) {}
}

/** A document to serialize, which may hold raw tokens and repeated names. */
export type JsonInput =
  | null
  | boolean
  | number
  | string
  | RawJson
  | DuplicateKeys
  | JsonInput[]
  | { [name: string]: JsonInput };

type JsonRecord = { [name: string]: JsonInput };

/** Serializes `value` as JSON text, writing RawJson tokens and DuplicateKeys entries as they are. */
export function toJsonText(value: JsonInput): string {
  if (value instanceof RawJson) {
    return value.text;
  }
  if (value instanceof DuplicateKeys) {
    const members = value.entries.map(
      ([name, item]) => `${JSON.stringify(name)}:${toJsonText(item)}`,
    );
    return `{${members.join(',')}}`;
  }
  if (Array.isArray(value)) {
    return `[${value.map(toJsonText).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(
      ([name, item]) => `${JSON.stringify(name)}:${toJsonText(item)}`,
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Sets a member with defineProperty, because plain assignment to `__proto__` would change the
 * object's prototype instead of adding a member.
 */
function setMember(target: JsonRecord, name: string, value: JsonInput): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * The sample record of the TCXC buyer call-history API documentation, as test/unit/cdr.test.ts
 * also has it.
 */
export const SAMPLE_RECORD_TEXT =
  '{"i_cdr":"77","CLD":"12014705652","CLI":"18552334464",' +
  '"call_id":"31491e97655c19c10c70981c33635a19","duration":"0","billed_duration":null,' +
  '"connect_time":"2019-08-27 17:45:11","disconnect_time":"2019-08-27 17:45:11",' +
  '"setup_time":"2019-08-27 17:45:11","billing_prefix":"1201470565",' +
  '"billing_price_1":0.004987,"billing_price_n":0.004987,"billing_interval_1":"6",' +
  '"billing_interval_n":"6","customer_amount":"0.000000","i_customer":"1","i_account":"10",' +
  '"i_vendor":"13","i_connection":"0","i_purchased_route":"0","disconnect_code":"16",' +
  '"customer_ip":"","i_rate":"0","vendor_name":"IDT","account_name":"SBC-3001",' +
  '"connection_name":null,"disconnect_reason":"Normal Call Clearing",' +
  '"country_name":"United States of America","description":"Fixed - ROC"}';

function sampleRecord(): JsonRecord {
  return JSON.parse(SAMPLE_RECORD_TEXT) as JsonRecord;
}

/** Names of the documented record fields, in the order of the sample record. */
export const RECORD_FIELDS: readonly string[] = Object.keys(sampleRecord());

/** Member names that name built-in properties of every JavaScript object. */
const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'toJSON',
  'hasOwnProperty',
];

/** Number tokens that are valid JSON but that JSON.stringify never writes. */
const NUMBER_TOKENS = [
  '1e400',
  '-1e400',
  '-0',
  '-0.0',
  '1e-400',
  '4.9e-324',
  '1.7976931348623157e308',
  '123456789012345678901234567890',
  '9007199254740993',
  '-9007199254740993',
  '1E+2',
  '0.1e1',
  '100000000000000000000000000000000000000000.5',
];

/** Number-like tokens that are not JSON at all. */
const INVALID_NUMBER_TOKENS = ['NaN', 'Infinity', '-Infinity', '+1', '01', '.5', '1.', '0x10'];

/** Text with control characters, bidirectional controls, zero-width characters and so on. */
const ODD_TEXTS = [
  '\u0000',
  'a\u0000b',
  '\u0007\u0008\u001b[31m red \u001b[0m',
  '\r\n\t\v\f',
  '\u202eevil\u202c',
  '\u2066isolated\u2069\u2067\u2068',
  '\u200f\u200e\u061c',
  '\u200b\u200c\u200d\ufeff',
  '\u2028\u2029',
  '\ud800',
  '\udfff\ud800',
  '\u{1f4de}\u{1f1fa}\u{1f1f8}',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '  16  ',
  '0.000000000000000000001',
  '2019-02-30 25:61:61',
  '2019-08-27T17:45:11Z',
  '</script><script>alert(1)</script>',
  '${process.exit(1)}',
  '%s%s%s%n',
  'null',
  'undefined',
];

/** A labelled value for a field of the wrong type, or of the right type with odd content. */
interface FieldValue {
  readonly label: string;
  readonly value: JsonInput;
}

/** Values of every JSON type, and number tokens, that go into each field in the systematic cases. */
const FIELD_VALUES: readonly FieldValue[] = [
  { label: 'null', value: null },
  { label: 'true', value: true },
  { label: 'false', value: false },
  { label: 'zero', value: 0 },
  { label: 'negative', value: -1 },
  { label: 'fraction', value: 1.5 },
  { label: 'empty text', value: '' },
  { label: 'spaces', value: '   ' },
  { label: 'word', value: 'text' },
  { label: 'empty list', value: [] },
  { label: 'list', value: [1, '2', null] },
  { label: 'empty object', value: {} },
  { label: 'object', value: { value: '16' } },
  { label: 'bidi text', value: '\u202e61\u202c' },
  { label: 'control text', value: '\u0000\u001b\u0007' },
  { label: 'long digits', value: '9'.repeat(1000) },
  ...NUMBER_TOKENS.map((token) => ({ label: `number ${token}`, value: new RawJson(token) })),
];

const JSON_CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
];

const OTHER_CONTENT_TYPES = [
  'text/html; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'application/json; charset=iso-8859-1',
  'application/problem+json',
  'multipart/form-data; boundary=fuzz',
  '',
  ';;;',
  'application/json; charset=utf-16',
  'text/html; charset=\u00e9\u00ff',
];

/** `Retry-After` values of every form: valid, out of range, malformed. */
const RETRY_AFTER_VALUES: readonly (string | readonly string[])[] = [
  '0',
  '1',
  ' 7 ',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  'Infinity',
  'NaN',
  '',
  'abc',
  '99999999999999999999999999',
  '9'.repeat(400),
  'Sun, 06 Nov 1994 08:49:37 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
  'Mon, 30 Feb 2026 00:00:00 GMT',
  'Sunday, 06-Nov-94 08:49:37 GMT',
  'Sun Nov  6 08:49:37 1994',
  ['5', '10'],
];

/** `Date` header values, which the client reads for clock offsets and `Retry-After` dates. */
const DATE_VALUES = [
  'Sun, 06 Nov 1994 08:49:37 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  'Mon, 30 Feb 2026 00:00:00 GMT',
  'yesterday',
  '',
];

const STATUS_CODES = [200, 201, 204, 206, 301, 400, 401, 403, 404, 418, 429, 500, 502, 503, 504];

/**
 * Characters of the 1 MB strings. NOTE: '<' is left out because excerpt() in
 * src/client/response.ts takes time quadratic in the number of '<' without a later '>', and a
 * 1 MB body full of them keeps it busy for minutes.
 */
const LONG_TEXT_ALPHABET = 'abcXYZ019 ."\\:,{}[]>\t\n\u00e9\u202e\u0000\u{1f4de}';

/** Byte values that are significant to JSON or to UTF-8. */
const INTERESTING_BYTES = [
  0x00, 0x09, 0x0a, 0x20, 0x22, 0x2c, 0x2d, 0x30, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d, 0x7f, 0x80,
  0xbf, 0xc0, 0xef, 0xfe, 0xff,
];

/** Byte sequences that are not valid UTF-8: lone continuation, overlong, surrogate, too high. */
const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc0, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

/** Short texts inserted by the byte mutations. */
const INSERTED_TEXTS = [
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '\\',
  '\\u',
  '\\ud800',
  'null',
  '-0',
  '1e400',
  'NaN',
  '"__proto__":',
  '\u202e',
  '\u0000',
  '\ufeff',
  ' ',
];

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Nesting depth of the deep documents, and a deeper one for some of the random cases. */
export const DEEP_NESTING = 10_000;
const DEEPER_NESTING = 100_000;

/** A response body before the status, headers and delivery are chosen. */
interface BodyDraft {
  readonly labels: string[];
  readonly body: Buffer;
  readonly status?: number;
  readonly headers?: Record<string, string | readonly string[]>;
  readonly delivery?: Delivery;
}

function jsonBody(labels: string[], document: JsonInput): BodyDraft {
  return { labels, body: Buffer.from(toJsonText(document), 'utf8') };
}

function textBody(labels: string[], text: string, contentType?: string): BodyDraft {
  const headers = contentType === undefined ? undefined : { 'content-type': contentType };
  return { labels, body: Buffer.from(text, 'utf8'), headers };
}

function successPage(records: JsonInput[]): JsonRecord {
  return { status: 'success', cdrs: records };
}

function deepArray(depth: number, inner = ''): RawJson {
  return new RawJson(`${'['.repeat(depth)}${inner}${']'.repeat(depth)}`);
}

function deepObject(depth: number): RawJson {
  return new RawJson(`${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`);
}

function htmlPage(title: string, text: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1><p>${text}</p><hr><center>nginx</center></body></html>`
  );
}

/** Responses that every run sends first, so each hard input is covered whatever the seed. */
function systematicDrafts(pool: readonly JsonRecord[]): BodyDraft[] {
  const drafts: BodyDraft[] = [];
  const withSample = (record: JsonInput): JsonRecord => successPage([record, { ...pool[0] }]);

  for (const field of RECORD_FIELDS) {
    for (const { label, value } of FIELD_VALUES) {
      const record = sampleRecord();
      setMember(record, field, value);
      drafts.push(jsonBody([`sample ${field} = ${label}`], withSample(record)));
    }
    const record = sampleRecord();
    delete record[field];
    drafts.push(jsonBody([`sample without ${field}`], withSample(record)));
  }
  for (const name of PROTOTYPE_NAMES) {
    const record = sampleRecord();
    setMember(record, name, { i_cdr: '1', duration: '5' });
    drafts.push(jsonBody([`record member ${name}`], withSample(record)));
    const page = successPage([sampleRecord()]);
    setMember(page, name, { status: 'error', cdrs: 'x' });
    drafts.push(jsonBody([`page member ${name}`], page));
    const onlyProto: JsonRecord = {};
    setMember(onlyProto, name, successPage([]));
    drafts.push(jsonBody([`page with only ${name}`], onlyProto));
  }

  const records = pool.slice(0, 25);
  drafts.push(
    jsonBody(['valid page'], successPage(records)),
    jsonBody(['empty page'], successPage([])),
    jsonBody(['sample record only'], successPage([sampleRecord()])),
    jsonBody(['success with message'], { ...successPage(records), message: 'OK' }),
    jsonBody(['success with error'], { ...successPage(records), error: 'ignored' }),
    jsonBody(['message before status'], { message: 'Wrong signature', ...successPage([]) }),
    jsonBody(['same record twice'], successPage([sampleRecord(), sampleRecord()])),
    jsonBody(['records without i_cdr'], successPage([{ duration: '1' }, { duration: '1' }])),
    jsonBody(['status missing'], { cdrs: records }),
    jsonBody(['status fail'], { status: 'fail', error: 'Wrong signature' }),
    jsonBody(['status fail without text'], { status: 'fail' }),
    jsonBody(['status error'], { status: 'error', message: 'Invalid date range' }),
    jsonBody(['status error with object message'], { status: 'error', message: { a: 1 } }),
    jsonBody(['status error with numeric message'], { status: 'error', message: 404 }),
    jsonBody(['status SUCCESS'], { status: 'SUCCESS', cdrs: records }),
    jsonBody(['status with spaces'], { status: ' success ', cdrs: records }),
    jsonBody(['status null'], { status: null, cdrs: [] }),
    jsonBody(['status true'], { status: true, cdrs: [] }),
    jsonBody(['status number'], { status: 1, cdrs: [] }),
    jsonBody(['status list'], { status: ['success'], cdrs: [] }),
    jsonBody(['status object'], { status: { success: true }, cdrs: [] }),
    jsonBody(['status long'], { status: 'x'.repeat(10_000), cdrs: [] }),
    jsonBody(['cdrs missing'], { status: 'success' }),
    jsonBody(['cdrs null'], { status: 'success', cdrs: null }),
    jsonBody(['cdrs object'], { status: 'success', cdrs: { 0: sampleRecord() } }),
    jsonBody(['cdrs text'], { status: 'success', cdrs: '[]' }),
    jsonBody(['cdrs number'], { status: 'success', cdrs: 0 }),
    jsonBody(['cdrs true'], { status: 'success', cdrs: true }),
    jsonBody(['records not objects'], successPage([null, true, 0, -1, 'x', '', [], [1], 1.5])),
    jsonBody(['record list of records'], successPage([[sampleRecord()]])),
    jsonBody(['body list'], [successPage(records)]),
    jsonBody(['body null'], null),
    jsonBody(['body number'], 0),
    jsonBody(['body text'], 'success'),
    jsonBody(
      ['duplicate status'],
      new DuplicateKeys([
        ['status', 'error'],
        ['status', 'success'],
        ['cdrs', records],
      ]),
    ),
    jsonBody(
      ['duplicate cdrs'],
      new DuplicateKeys([
        ['status', 'success'],
        ['cdrs', records],
        ['cdrs', 'x'],
      ]),
    ),
    jsonBody(
      ['record with duplicate i_cdr'],
      successPage([
        new DuplicateKeys([
          ['i_cdr', '1'],
          ...Object.entries(sampleRecord()),
          ['i_cdr', null],
          ['duration', '9'],
        ]),
      ]),
    ),
    jsonBody([`deep list body ${DEEP_NESTING}`], deepArray(DEEP_NESTING)),
    jsonBody([`deep object body ${DEEP_NESTING}`], deepObject(DEEP_NESTING)),
    jsonBody([`deep list record ${DEEP_NESTING}`], successPage([deepArray(DEEP_NESTING)])),
    jsonBody([`deep object record ${DEEP_NESTING}`], successPage([deepObject(DEEP_NESTING)])),
    jsonBody(
      [`deep list in field ${DEEP_NESTING}`],
      successPage([{ ...sampleRecord(), CLD: deepArray(DEEP_NESTING) }]),
    ),
    jsonBody(
      [`deep object in field ${DEEP_NESTING}`],
      successPage([{ ...sampleRecord(), CLD: deepObject(DEEP_NESTING) }]),
    ),
    jsonBody([`deep cdrs ${DEEP_NESTING}`], { status: 'success', cdrs: deepArray(DEEP_NESTING) }),
    textBody([`unclosed deep list ${DEEP_NESTING}`], '['.repeat(DEEP_NESTING)),
    textBody([`deep list body ${DEEPER_NESTING}`], deepArray(DEEPER_NESTING).text),
    jsonBody(
      ['1 MB text field'],
      successPage([{ ...sampleRecord(), description: 'd'.repeat(1 << 20) }]),
    ),
    jsonBody(['1 MB status'], { status: 's'.repeat(1 << 20), cdrs: [] }),
    jsonBody(['1 MB error message'], { status: 'error', message: 'm'.repeat(1 << 20) }),
    textBody(['1 MB of spaces'], ' '.repeat(1 << 20)),
    textBody(['1 MB of text'], 'x'.repeat(1 << 20), 'text/plain'),
    textBody(['empty body'], ''),
    textBody(['only whitespace'], ' \r\n\t'),
    textBody(['only a BOM'], '\ufeff'),
    { labels: ['BOM and valid page'], body: Buffer.concat([UTF8_BOM, jsonText(records)]) },
    { labels: ['two BOMs'], body: Buffer.concat([UTF8_BOM, UTF8_BOM, jsonText(records)]) },
    {
      labels: ['UTF-16 BOM'],
      body: Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(toJsonText(successPage([])), 'utf16le'),
      ]),
    },
    {
      labels: ['invalid UTF-8 in a string'],
      body: Buffer.concat([
        Buffer.from('{"status":"success","cdrs":[{"i_cdr":"1","CLD":"'),
        Buffer.from([0xff, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
        Buffer.from('"}]}'),
      ]),
    },
    textBody(['raw control character in a string'], '{"status":"error","message":"a\u0001\nb"}'),
    textBody(['NaN token'], '{"status":"success","cdrs":[{"duration":NaN}]}'),
    textBody(['trailing comma'], '{"status":"success","cdrs":[],}'),
    textBody(['two documents'], '{"status":"success","cdrs":[]}{"status":"fail"}'),
    textBody(['single quotes'], "{'status':'success','cdrs':[]}"),
    textBody(['comment'], '{"status":"success",/* x */"cdrs":[]}'),
    textBody(['HTML page'], htmlPage('502 Bad Gateway', 'upstream'), 'text/html'),
    textBody(['HTML without title'], '<html><body><b>Error</b></body></html>', 'text/html'),
    textBody(['HTML with bidi title'], htmlPage('\u202eyrros\u202c', '\u0000'), 'text/html'),
    textBody(['unclosed title'], '<title>never closed', 'text/html'),
    textBody(['plain text'], 'Internal Server Error', 'text/plain'),
  );

  const echoes: [string, string][] = [
    ['API key', API_KEY_MARKER],
    ['signature', SIGNATURE_MARKER],
    ['request body', REQUEST_BODY_MARKER],
  ];
  for (const [name, marker] of echoes) {
    drafts.push(
      jsonBody([`${name} in error message`], { status: 'error', message: `bad ${marker}` }),
      jsonBody([`${name} in fail error`], { status: 'fail', error: `bad ${marker}` }),
      jsonBody([`${name} as status`], { status: marker, cdrs: [] }),
      jsonBody([`${name} in status list`], { status: [marker], cdrs: [] }),
      jsonBody([`${name} in a record`], successPage([{ ...sampleRecord(), CLI: marker }])),
      textBody([`${name} in HTML title`], htmlPage(marker, marker), 'text/html'),
      textBody([`${name} in plain text`], `rejected: ${marker}`, 'text/plain'),
      { ...textBody([`${name} in HTTP 400`], `rejected: ${marker}`), status: 400 },
      { ...jsonBody([`${name} in HTTP 401 fail`], { status: 'fail', error: marker }), status: 401 },
      {
        ...textBody([`${name} in content type`], 'not JSON'),
        headers: { 'content-type': `text/plain; echo=${marker}` },
      },
    );
  }

  const bodies: BodyDraft[] = [
    jsonBody(['valid page'], successPage(records.slice(0, 3))),
    textBody(['HTML page'], htmlPage('Service Unavailable', 'try later'), 'text/html'),
    jsonBody(['status fail'], { status: 'fail', error: 'Wrong signature' }),
    textBody(['empty body'], ''),
  ];
  for (const status of STATUS_CODES) {
    for (const draft of bodies) {
      drafts.push({ ...draft, labels: [...draft.labels, `HTTP ${status}`], status });
    }
  }
  for (const status of [429, 503]) {
    for (const retryAfter of RETRY_AFTER_VALUES) {
      drafts.push({
        labels: [`HTTP ${status}`, `Retry-After ${JSON.stringify(retryAfter)}`],
        body: Buffer.from('{"status":"error","message":"Too many requests"}'),
        status,
        headers: { 'retry-after': retryAfter },
      });
    }
  }
  for (const date of DATE_VALUES) {
    drafts.push({
      labels: ['HTTP 401 fail', `Date ${JSON.stringify(date)}`],
      body: Buffer.from('{"status":"fail","error":"Wrong signature"}'),
      status: 401,
      headers: { date },
    });
  }
  for (const contentType of [...JSON_CONTENT_TYPES, ...OTHER_CONTENT_TYPES]) {
    drafts.push({
      ...jsonBody(
        [`content type ${JSON.stringify(contentType)}`],
        successPage(records.slice(0, 2)),
      ),
      headers: { 'content-type': contentType },
    });
  }
  drafts.push(
    {
      ...textBody(['10 KB content type'], 'not JSON'),
      headers: { 'content-type': `text/plain; x=${'y'.repeat(10_000)}` },
    },
    {
      ...jsonBody(['20 KB content type'], successPage([])),
      headers: { 'content-type': `application/json; x=${'y'.repeat(20_000)}` },
    },
    { ...jsonBody(['cut off'], successPage(records)), delivery: 'cutOff' },
    { ...jsonBody(['no response'], successPage(records)), delivery: 'noResponse' },
    {
      ...textBody(['HTTP 500 cut off'], htmlPage('500', 'error')),
      status: 500,
      delivery: 'cutOff',
    },
  );
  return drafts;
}

function jsonText(records: JsonInput[]): Buffer {
  return Buffer.from(toJsonText(successPage(records)), 'utf8');
}

/** Builds a random text of `length` characters from `alphabet`, repeating a short random run. */
function randomText(random: FuzzRandom, length: number, alphabet: string): string {
  const characters = [...alphabet];
  let run = '';
  const runLength = random.int(1, 64);
  for (let i = 0; i < runLength; i++) {
    run += random.pick(characters);
  }
  return run.repeat(Math.ceil(length / run.length)).slice(0, length);
}

/** Returns a random value of any JSON type, or a raw token, for a field or a record. */
function randomValue(random: FuzzRandom, pool: readonly JsonRecord[]): JsonInput {
  switch (random.int(0, 11)) {
    case 0:
      // A copy, because later mutations change lists and records in place.
      return copyInput(random.pick(FIELD_VALUES).value);
    case 1:
      return new RawJson(random.pick(NUMBER_TOKENS));
    case 2:
      return new RawJson(random.pick(INVALID_NUMBER_TOKENS));
    case 3:
      return random.pick(ODD_TEXTS);
    case 4:
      return randomText(random, random.int(0, 40), LONG_TEXT_ALPHABET);
    case 5:
      return random.chance(0.1)
        ? randomText(random, 1 << 20, LONG_TEXT_ALPHABET)
        : randomText(random, random.int(1000, 100_000), LONG_TEXT_ALPHABET);
    case 6:
      return random.chance(0.5) ? deepArray(DEEP_NESTING) : deepObject(DEEP_NESTING);
    case 7:
      return { ...random.pick(pool) };
    case 8:
      return [random.pick(ODD_TEXTS), random.int(-5, 5), null];
    case 9:
      return random.int(-1_000_000, 1_000_000) / random.pick([1, 10, 1000, 1e6]);
    case 10:
      return random.chance(0.5);
    default:
      return null;
  }
}

/** Copies the lists and plain objects of `value`. RawJson and DuplicateKeys are never changed. */
function copyInput(value: JsonInput): JsonInput {
  if (Array.isArray(value)) {
    return value.map(copyInput);
  }
  if (typeof value === 'object' && value !== null && !isSpecial(value)) {
    const copy: JsonRecord = {};
    for (const [name, item] of Object.entries(value)) {
      setMember(copy, name, copyInput(item));
    }
    return copy;
  }
  return value;
}

function randomName(random: FuzzRandom): string {
  switch (random.int(0, 3)) {
    case 0:
      return random.pick(PROTOTYPE_NAMES);
    case 1:
      return random.pick(ODD_TEXTS);
    case 2:
      return randomText(random, random.int(0, 12), 'abc_XYZ019 ');
    default:
      return random.pick(RECORD_FIELDS);
  }
}

/**
 * Changes one part of a success page: a field of a record, a record, the record list or the
 * status. Returns the label of the change.
 */
function mutateDocument(random: FuzzRandom, page: JsonRecord, pool: readonly JsonRecord[]): string {
  const records = page.cdrs;
  if (Array.isArray(records) && random.chance(0.75)) {
    return mutateRecords(random, records, pool);
  }
  switch (random.int(0, 2)) {
    case 0: {
      const value = random.chance(0.5)
        ? random.pick(['error', 'fail', 'ok', ''])
        : randomValue(random, pool);
      setMember(page, 'status', value);
      return `status = ${describeValue(value)}`;
    }
    case 1: {
      const name = random.pick(['message', 'error']);
      const value = random.chance(0.7) ? random.pick(ODD_TEXTS) : randomValue(random, pool);
      setMember(page, name, value);
      return `page ${name} = ${describeValue(value)}`;
    }
    default: {
      const value = randomValue(random, pool);
      setMember(page, 'cdrs', value);
      return `cdrs = ${describeValue(value)}`;
    }
  }
}

/** Changes one record of a record list, or the list itself. Returns the label of the change. */
function mutateRecords(
  random: FuzzRandom,
  records: JsonInput[],
  pool: readonly JsonRecord[],
): string {
  const index = random.int(0, Math.max(0, records.length - 1));
  const target = records[index];
  const record =
    typeof target === 'object' && target !== null && !Array.isArray(target) && !isSpecial(target)
      ? target
      : undefined;
  // Choices 0 to 6 change the record at `index` when it is an object. Choices 7 and 8, and any
  // choice when it is not an object, change the list.
  const choice = random.int(0, 8);

  if (record !== undefined && choice <= 3) {
    const field = random.pick(RECORD_FIELDS);
    const value = randomValue(random, pool);
    setMember(record, field, value);
    return `record ${index} ${field} = ${describeValue(value)}`;
  }
  if (record !== undefined && choice === 4) {
    const field = random.pick(RECORD_FIELDS);
    delete record[field];
    return `record ${index} without ${field}`;
  }
  if (record !== undefined && choice === 5) {
    const name = randomName(random);
    setMember(record, name, randomValue(random, pool));
    return `record ${index} member ${JSON.stringify(name)}`;
  }
  if (record !== undefined && choice === 6) {
    const field = random.pick(RECORD_FIELDS);
    const entries: [string, JsonInput][] = Object.entries(record);
    entries.splice(random.int(0, entries.length), 0, [field, randomValue(random, pool)]);
    records[index] = new DuplicateKeys(entries);
    return `record ${index} duplicate ${field}`;
  }

  if (choice === 7 && records.length > 0) {
    records.push(...records.slice(0, random.int(1, 3)));
    return 'records repeated';
  }
  const value = randomValue(random, pool);
  records.splice(index, 0, value);
  return `record ${index} inserted ${describeValue(value)}`;
}

function isSpecial(value: object): value is RawJson | DuplicateKeys {
  return value instanceof RawJson || value instanceof DuplicateKeys;
}

/** Describes a value for a label, cut short, because some are a megabyte long. */
function describeValue(value: JsonInput): string {
  const text = value instanceof RawJson ? value.text : toJsonText(value);
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 30))}... (${text.length} chars)` : text;
}

/** Applies one byte-level mutation to `body`; returns the new body and the label. */
function mutateBytes(random: FuzzRandom, body: Buffer): [Buffer, string] {
  const at = random.int(0, body.length);
  const end = Math.min(body.length, at + random.int(1, 64));
  switch (random.int(0, 8)) {
    case 0: {
      if (body.length === 0) {
        return [body, 'bit flip of empty body'];
      }
      const copy = Buffer.from(body);
      const index = Math.min(at, body.length - 1);
      const bit = random.int(0, 7);
      copy[index] ^= 1 << bit;
      return [copy, `bit ${bit} flipped at ${index}`];
    }
    case 1: {
      if (body.length === 0) {
        return [body, 'byte set in empty body'];
      }
      const copy = Buffer.from(body);
      const index = Math.min(at, body.length - 1);
      const byte = random.pick(INTERESTING_BYTES);
      copy[index] = byte;
      return [copy, `byte ${index} = 0x${byte.toString(16)}`];
    }
    case 2:
      return [body.subarray(0, at), `truncated at ${at}`];
    case 3: {
      const text = random.pick(INSERTED_TEXTS);
      const inserted = Buffer.from(text, 'utf8');
      return [splice(body, at, at, inserted), `inserted ${JSON.stringify(text)} at ${at}`];
    }
    case 4:
      return [splice(body, at, end, Buffer.alloc(0)), `deleted ${at}-${end}`];
    case 5:
      return [splice(body, at, at, body.subarray(at, end)), `repeated ${at}-${end}`];
    case 6:
      return [Buffer.concat([UTF8_BOM, body]), 'BOM prepended'];
    case 7: {
      const bytes = random.pick(INVALID_UTF8);
      const label = `invalid UTF-8 ${bytes.map((byte) => byte.toString(16)).join(' ')} at ${at}`;
      return [splice(body, at, at, Buffer.from(bytes)), label];
    }
    default: {
      const length = random.int(1, 16);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) {
        bytes[i] = random.int(0, 255);
      }
      return [splice(body, at, at, bytes), `${length} random bytes at ${at}`];
    }
  }
}

function splice(body: Buffer, start: number, end: number, inserted: Buffer): Buffer {
  return Buffer.concat([body.subarray(0, start), inserted, body.subarray(end)]);
}

/** Builds a random response body: a mutated success page, an error document or other text. */
function randomDraft(random: FuzzRandom, pool: readonly JsonRecord[]): BodyDraft {
  const roll = random.next();
  if (roll < 0.55) {
    const count = random.int(0, 30);
    const records: JsonInput[] = [];
    for (let i = 0; i < count; i++) {
      records.push(random.chance(0.1) ? sampleRecord() : { ...random.pick(pool) });
    }
    const page = successPage(records);
    const labels = [`success page of ${count}`];
    const mutations = random.chance(0.25) ? 0 : random.int(1, 4);
    for (let i = 0; i < mutations; i++) {
      labels.push(mutateDocument(random, page, pool));
    }
    return jsonBody(labels, page);
  }
  if (roll < 0.7) {
    const status = random.pick(['error', 'fail', 'ok', 'failed', 'Success', '']);
    const name = random.pick(['message', 'error', 'msg']);
    const value = random.chance(0.6) ? random.pick(ODD_TEXTS) : randomValue(random, pool);
    const document: JsonRecord = { status };
    setMember(document, name, value);
    return jsonBody(
      [`status ${JSON.stringify(status)}, ${name} = ${describeValue(value)}`],
      document,
    );
  }
  if (roll < 0.8) {
    const title = random.chance(0.5) ? random.pick(ODD_TEXTS) : randomText(random, 30, 'abc 019');
    const text = randomText(random, random.int(0, 4000), LONG_TEXT_ALPHABET);
    return textBody(['HTML page'], htmlPage(title, text), random.pick(OTHER_CONTENT_TYPES));
  }
  if (roll < 0.88) {
    const text = randomText(random, random.int(0, 2000), LONG_TEXT_ALPHABET);
    return textBody([`text of ${text.length} chars`], text);
  }
  if (roll < 0.93) {
    const value = randomValue(random, pool);
    return jsonBody([`document ${describeValue(value)}`], value);
  }
  if (roll < 0.96) {
    const depth = random.chance(0.8) ? DEEP_NESTING : DEEPER_NESTING;
    const inner = random.chance(0.5) ? toJsonText(sampleRecord()) : '';
    const where = random.int(0, 2);
    if (where === 0) {
      return jsonBody([`deep list body ${depth}`], deepArray(depth, inner));
    }
    if (where === 1) {
      return jsonBody([`deep list record ${depth}`], successPage([deepArray(depth, inner)]));
    }
    return jsonBody([`deep object record ${depth}`], successPage([deepObject(depth)]));
  }
  return textBody(['empty body'], '');
}

/** Chooses the status, headers and delivery of a random case. */
function randomEnvelope(random: FuzzRandom, draft: BodyDraft): Omit<ResponsePlan, 'body'> {
  const status = random.chance(0.7) ? 200 : random.pick(STATUS_CODES);
  const headers: Record<string, string | readonly string[]> = { ...draft.headers };
  if (headers['content-type'] === undefined && random.chance(0.9)) {
    headers['content-type'] = random.chance(0.6)
      ? random.pick(JSON_CONTENT_TYPES)
      : random.pick(OTHER_CONTENT_TYPES);
  }
  if (status === 429 || status === 503 ? random.chance(0.8) : random.chance(0.05)) {
    headers['retry-after'] = random.pick(RETRY_AFTER_VALUES);
  }
  if (random.chance(0.1)) {
    headers.date = random.pick(DATE_VALUES);
  }
  if (status === 301) {
    headers.location = '/buyers/callhistory?moved=1';
  }
  let delivery: Delivery = 'complete';
  const roll = random.next();
  if (status !== 204 && roll < 0.015) {
    delivery = 'cutOff';
  } else if (roll < 0.025) {
    delivery = 'noResponse';
  }
  return { status, headers, delivery };
}

function labelEnvelope(response: Omit<ResponsePlan, 'body'>): string[] {
  const labels = [`HTTP ${response.status}`];
  for (const [name, value] of Object.entries(response.headers)) {
    const text = JSON.stringify(value);
    labels.push(
      `${name}: ${text.length > 60 ? `${text.slice(0, 50)}... (${text.length} chars)` : text}`,
    );
  }
  if (response.delivery !== 'complete') {
    labels.push(response.delivery);
  }
  return labels;
}

/** Builds the cases of a run: first the systematic ones, then random ones from the seed. */
export class FuzzCorpus {
  private readonly pool: readonly JsonRecord[];
  private readonly systematic: readonly BodyDraft[];

  constructor(readonly seed: number) {
    this.pool = generateCdrs({
      seed,
      count: 400,
      start: new Date(Date.UTC(2024, 0, 1)),
      end: new Date(Date.UTC(2024, 0, 8)),
    }).map((record) => ({ ...record }));
    this.systematic = systematicDrafts(this.pool);
  }

  /** Number of cases that every run sends before the random ones. */
  get systematicCount(): number {
    return this.systematic.length;
  }

  caseAt(caseNumber: number): FuzzCase {
    const random = new FuzzRandom(caseSeed(this.seed, caseNumber));
    if (caseNumber < this.systematic.length) {
      const draft = this.systematic[caseNumber];
      const envelope: Omit<ResponsePlan, 'body'> = {
        status: draft.status ?? 200,
        headers: draft.headers ?? { 'content-type': 'application/json' },
        delivery: draft.delivery ?? 'complete',
      };
      return {
        caseNumber,
        labels: [...draft.labels, ...labelEnvelope(envelope)],
        response: { ...envelope, body: draft.body },
      };
    }
    const draft = randomDraft(random, this.pool);
    const labels = [...draft.labels];
    let body = draft.body;
    if (random.chance(0.35)) {
      const count = random.int(1, 4);
      for (let i = 0; i < count; i++) {
        const [mutated, label] = mutateBytes(random, body);
        body = mutated;
        labels.push(label);
      }
    }
    const envelope = randomEnvelope(random, draft);
    return {
      caseNumber,
      labels: [...labels, ...labelEnvelope(envelope)],
      response: { ...envelope, body },
    };
  }
}
