/**
 * The Call History tree with one date of 50,000 calls: the date lists its calls in slices with a
 * "Show more" row, in a real extension host so that the tree items are VS Code's own classes.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { generateCdrs } from '../../src/emulator/dataset';
import { toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';
import type { CallHistory, HistoryChange } from '../../src/ui/history';
import {
  CDR_SLICE_SIZE,
  CallHistoryProvider,
  DateNode,
  SHOW_MORE_COMMAND,
  type HistoryNode,
} from '../../src/ui/tree';
import { activateExtension } from './helpers';

const BIG_DATE = '2026-03-02';
const SMALL_DATE = '2026-03-01';
const BIG_COUNT = 50_000;
const SMALL_COUNT = 20;

/** The parts of {@link CallHistory} that the tree reads, over a fixed collection. */
function historyOf(collection: CdrCollection, changes: vscode.EventEmitter<HistoryChange>) {
  return {
    collection,
    hasMore: false,
    loading: false,
    lastFailure: undefined,
    pageCount: 1,
    onDidChange: changes.event,
  } as unknown as CallHistory;
}

function buildCollection(): CdrCollection {
  const big = generateCdrs({
    seed: 50_000,
    count: BIG_COUNT,
    start: new Date(`${BIG_DATE}T00:00:00Z`),
    end: new Date(`${BIG_DATE}T23:59:59Z`),
    firstId: 1_000_000,
  });
  const small = generateCdrs({
    seed: 20,
    count: SMALL_COUNT,
    start: new Date(`${SMALL_DATE}T00:00:00Z`),
    end: new Date(`${SMALL_DATE}T23:59:59Z`),
    firstId: 1,
  });
  const collection = new CdrCollection();
  collection.add([...big, ...small].map(toCdr));
  return collection;
}

function idsOf(provider: CallHistoryProvider, nodes: readonly HistoryNode[]): string[] {
  return nodes.map((node) => provider.getTreeItem(node).id ?? '');
}

describe('Call History tree slices', () => {
  let collection: CdrCollection;
  let changes: vscode.EventEmitter<HistoryChange>;
  let provider: CallHistoryProvider;
  let bigDate: DateNode;

  before(() => {
    collection = buildCollection();
    assert.equal(collection.group(BIG_DATE)?.cdrs.length, BIG_COUNT);
  });

  beforeEach(() => {
    changes = new vscode.EventEmitter<HistoryChange>();
    provider = new CallHistoryProvider(historyOf(collection, changes));
    const roots = provider.getChildren();
    assert.deepEqual(
      roots.map((node) => (node as DateNode).date),
      [BIG_DATE, SMALL_DATE],
    );
    bigDate = roots[0] as DateNode;
  });

  afterEach(() => {
    provider.dispose();
    changes.dispose();
  });

  it('lists one slice and a Show more row', () => {
    const children = provider.getChildren(bigDate);
    assert.ok(children.length <= CDR_SLICE_SIZE + 1, `${children.length} children`);
    assert.equal(children.length, CDR_SLICE_SIZE + 1);
    assert.ok(children.slice(0, -1).every((node) => node.kind === 'cdr'));
    const last = children.at(-1) as HistoryNode;
    assert.equal(last.kind, 'showMore');
    assert.equal(provider.getParent(last), bigDate);

    const item = provider.getTreeItem(last);
    assert.equal(item.label, 'Show more (500 of 50,000)');
    assert.equal(item.id, `showMore:${BIG_DATE}`);
    assert.equal(
      item.collapsibleState ?? vscode.TreeItemCollapsibleState.None,
      vscode.TreeItemCollapsibleState.None,
    );
    assert.equal(item.command?.command, SHOW_MORE_COMMAND);
    assert.deepEqual(item.command?.arguments, [BIG_DATE]);
    assert.match(item.accessibilityInformation?.label ?? '', /^Show 500 more calls/);
  });

  it('lists the newest calls first', () => {
    const expected = collection.group(BIG_DATE)?.cdrs.slice(0, CDR_SLICE_SIZE) ?? [];
    const listed = provider
      .getChildren(bigDate)
      .filter((node) => node.kind === 'cdr')
      .map((node) => node.cdr);
    assert.deepEqual(listed, expected);
  });

  it('lists a small date whole', () => {
    const small = provider.getChildren()[1];
    const children = provider.getChildren(small);
    assert.equal(children.length, SMALL_COUNT);
    assert.ok(children.every((node) => node.kind === 'cdr'));
  });

  it('Show more extends the date', () => {
    const before = provider.getChildren(bigDate);
    const fired: (HistoryNode | undefined | void)[] = [];
    const listener = provider.onDidChangeTreeData((node) => fired.push(node));
    try {
      provider.showMore(BIG_DATE);
    } finally {
      listener.dispose();
    }
    assert.deepEqual(fired, [bigDate], 'Show more refreshed more than its date');

    const after = provider.getChildren(bigDate);
    assert.equal(after.length, 2 * CDR_SLICE_SIZE + 1);
    assert.deepEqual(after.slice(0, CDR_SLICE_SIZE), before.slice(0, CDR_SLICE_SIZE));
    assert.equal(after.at(-1), before.at(-1), 'the Show more node was replaced');
    assert.equal(
      provider.getTreeItem(after.at(-1) as HistoryNode).label,
      'Show more (1,000 of 50,000)',
    );
    const ids = idsOf(provider, after);
    assert.equal(new Set(ids).size, ids.length, 'tree item ids are not unique');
    assert.deepEqual(
      ids.slice(0, CDR_SLICE_SIZE),
      idsOf(provider, before.slice(0, CDR_SLICE_SIZE)),
    );
  });

  it('keeps the slice count on refresh', () => {
    provider.showMore(BIG_DATE);
    changes.fire({ kind: 'page', added: [], newDates: [], changedDates: [BIG_DATE] });
    assert.equal(provider.getChildren(bigDate).length, 2 * CDR_SLICE_SIZE + 1);
    assert.equal(provider.getChildren()[0], bigDate, 'the date node was replaced');
  });

  it('new query lists one slice again', () => {
    provider.showMore(BIG_DATE);
    changes.fire({ kind: 'reset' });
    const date = provider.getChildren()[0];
    assert.equal(provider.getChildren(date).length, CDR_SLICE_SIZE + 1);
  });

  it('Show more reaches every call', () => {
    let uses = 0;
    let children = provider.getChildren(bigDate);
    while (children.at(-1)?.kind === 'showMore') {
      provider.showMore(BIG_DATE);
      uses++;
      children = provider.getChildren(bigDate);
    }
    assert.equal(uses, BIG_COUNT / CDR_SLICE_SIZE - 1);
    assert.equal(children.length, BIG_COUNT);
    const ids = idsOf(provider, children);
    assert.equal(new Set(ids).size, BIG_COUNT, 'tree item ids are not unique');

    const fired: (HistoryNode | undefined | void)[] = [];
    const listener = provider.onDidChangeTreeData((node) => fired.push(node));
    try {
      provider.showMore(BIG_DATE);
    } finally {
      listener.dispose();
    }
    assert.deepEqual(fired, [], 'Show more past the end refreshed the tree');
  });

  it('registers the Show more command', async () => {
    await activateExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(SHOW_MORE_COMMAND), `${SHOW_MORE_COMMAND} is not registered`);
    // The extension's own tree has no such date, so the command leaves it as it is.
    await vscode.commands.executeCommand(SHOW_MORE_COMMAND, '1999-01-01');
  });
});
