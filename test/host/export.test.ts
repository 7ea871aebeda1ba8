import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FixedQuery, TcxcClient } from '../../src/client/client';
import { formatApiDate } from '../../src/client/query';
import type { TcxcExtensionApi } from '../../src/extension';
import type { ExportResult } from '../../src/export/exporter';
import { QueryRequest, resolveQuery } from '../../src/model/timeWindow';
import { activateExtension, apiKey, login, waitForLoopbackEndpoint } from './helpers';

const DAY_MS = 86_400_000;

/**
 * Returns the last day as a custom range, so the export and the direct fetch below send the same
 * fixed dates. The emulator's records end when it started, before this range ends.
 */
function lastDay(): QueryRequest {
  const now = Date.now();
  return {
    window: 'custom',
    from: formatApiDate(new Date(now - DAY_MS)),
    to: formatApiDate(new Date(now)),
    show: 'all',
  };
}

/** Fetches every record of `request` in one unpaged request, with a client of the test's own. */
async function fetchDirectly(request: QueryRequest): Promise<unknown[]> {
  const endpoint = vscode.workspace.getConfiguration('tcxc').get<string>('endpoint') ?? '';
  const client = new TcxcClient({ endpoint, credentials: { login, apiKey } });
  try {
    const query = resolveQuery(request, Date.now()) as FixedQuery;
    assert.ok(query.dateTo, 'a custom range has a fixed end');
    return (await client.fetchPage(query)).records;
  } finally {
    await client.dispose();
  }
}

function idOf(record: unknown): string {
  return String((record as { i_cdr?: unknown }).i_cdr);
}

describe('Export CDRs command', () => {
  let api: TcxcExtensionApi;
  let folder: string;

  before(async () => {
    await waitForLoopbackEndpoint();
    api = await activateExtension();
    await api.credentials.store({ login, apiKey });
  });

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-host-export-'));
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('Export writes every page as CSV', async () => {
    const request = lastDay();
    await vscode.commands.executeCommand('tcxc.fetchCdrs', request);
    const loaded = api.history.collection?.size ?? 0;
    const file = path.join(folder, 'cdrs.csv');

    const result = await vscode.commands.executeCommand<ExportResult | undefined>(
      'tcxc.exportCdrs',
      { file, format: 'csv' },
    );
    const expected = await fetchDirectly(request);
    // The emulator's records contain no line break, so each CRLF ends one record.
    const lines = fs.readFileSync(file, 'utf8').split('\r\n');
    assert.equal(lines.pop(), '', 'the file does not end with CRLF');
    const [header, ...rows] = lines;
    console.log(
      `      ${rows.length} CDRs in ${result?.pages} pages; ${loaded} were loaded in the tree`,
    );

    assert.ok(result, 'the command returned no result');
    assert.ok(loaded < expected.length, 'the first page already held every record');
    assert.match(header, /^i_cdr,CLD,CLI,.*,connect_time \(UTC\),/);
    assert.equal(rows.length, expected.length);
    assert.equal(result.records, expected.length);
    assert.deepEqual(
      rows.map((row) => row.split(',')[0]),
      expected.map(idOf),
    );
    assert.deepEqual(fs.readdirSync(folder), ['cdrs.csv']);
  });

  it('Export writes raw JSON Lines', async () => {
    const request = lastDay();
    await vscode.commands.executeCommand('tcxc.fetchCdrs', request);
    const file = path.join(folder, 'cdrs.jsonl');

    const result = await vscode.commands.executeCommand<ExportResult | undefined>(
      'tcxc.exportCdrs',
      { file, format: 'jsonl' },
    );
    const expected = await fetchDirectly(request);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file does not end with LF');

    assert.ok(result, 'the command returned no result');
    assert.equal(result.records, expected.length);
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      expected,
    );
  });

  it('Export rejects an invalid argument', async () => {
    await vscode.commands.executeCommand('tcxc.fetchCdrs', lastDay());
    const result = await vscode.commands.executeCommand<ExportResult | undefined>(
      'tcxc.exportCdrs',
      { file: 'relative.csv', format: 'csv' },
    );
    const wrongFormat = await vscode.commands.executeCommand<ExportResult | undefined>(
      'tcxc.exportCdrs',
      { file: path.join(folder, 'cdrs.xlsx'), format: 'xlsx' },
    );

    assert.equal(result, undefined);
    assert.equal(wrongFormat, undefined);
    assert.deepEqual(fs.readdirSync(folder), []);
  });
});
