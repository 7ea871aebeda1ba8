import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');

interface Command {
  readonly command: string;
  readonly title: string;
  readonly category?: string;
}

interface Setting {
  readonly type: string;
  readonly scope?: string;
  readonly description?: string;
  readonly markdownDescription?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

interface WalkthroughStep {
  readonly id: string;
  readonly description: string;
  readonly media: { readonly markdown?: string; readonly image?: string };
  readonly completionEvents?: readonly string[];
}

interface Manifest {
  readonly contributes: {
    readonly commands: readonly Command[];
    readonly configuration: { readonly properties: Readonly<Record<string, Setting>> };
    readonly menus: Readonly<Record<string, readonly { command: string; when?: string }[]>>;
    readonly walkthroughs: readonly { readonly steps: readonly WalkthroughStep[] }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const { commands, configuration, menus, walkthroughs } = manifest.contributes;
const commandIds = new Set(commands.map((command) => command.command));

/** Commands that act on one row of the tree and mean nothing in the Command Palette. */
const TREE_ONLY_COMMANDS = ['tcxc.showCdr', 'tcxc.showMoreCalls'];

describe('package.json contributions', () => {
  it('puts every command in the TCXC category', () => {
    const outside = commands.filter((command) => command.category !== 'TCXC');

    assert.deepEqual(outside, []);
  });

  it('hides tree-only commands from the palette', () => {
    const hidden = menus.commandPalette
      .filter((entry) => entry.when === 'false')
      .map((entry) => entry.command);

    assert.deepEqual(hidden.sort(), [...TREE_ONLY_COMMANDS].sort());
  });

  it('lists only declared commands in menus', () => {
    const unknown = Object.values(menus)
      .flat()
      .map((entry) => entry.command)
      .filter((command) => !commandIds.has(command));

    assert.deepEqual(unknown, []);
  });

  it('describes and scopes every setting', () => {
    const incomplete = Object.entries(configuration.properties)
      .filter(
        ([, setting]) => !(setting.description ?? setting.markdownDescription) || !setting.scope,
      )
      .map(([name]) => name);

    assert.deepEqual(incomplete, []);
  });

  it('bounds every numeric setting', () => {
    const unbounded = Object.entries(configuration.properties)
      .filter(([, setting]) => setting.type === 'number' || setting.type === 'integer')
      .filter(([, setting]) => setting.minimum === undefined || setting.maximum === undefined)
      .map(([name]) => name);

    assert.deepEqual(unbounded, []);
  });
});

describe('Get Started walkthrough', () => {
  const steps = walkthroughs.flatMap((walkthrough) => walkthrough.steps);

  it('covers credentials, fetch, panel and export', () => {
    const linked = steps.map((step) => /\(command:([\w.]+)\)/.exec(step.description)?.[1]);

    assert.deepEqual(linked, [
      'tcxc.addAccount',
      'tcxc.fetchCdrs',
      'tcxc.openPanel',
      'tcxc.exportCdrs',
    ]);
  });

  it('links only declared commands', () => {
    const unknown = steps
      .flatMap((step) => [...step.description.matchAll(/\(command:([\w.]+)\)/g)])
      .map((match) => match[1])
      .filter((command) => !commandIds.has(command));

    assert.deepEqual(unknown, []);
  });

  it('has media files that exist', () => {
    const missing = steps
      .map((step) => step.media.markdown ?? step.media.image ?? '')
      .filter((file) => !fs.existsSync(path.join(root, file)));

    assert.deepEqual(missing, []);
  });

  it('completes each step by an event', () => {
    const open = steps.filter((step) => (step.completionEvents ?? []).length === 0);

    assert.deepEqual(
      open.map((step) => step.id),
      [],
    );
  });
});
