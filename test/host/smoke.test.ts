import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('extension host', () => {
  it('runs VS Code with the extension present', () => {
    assert.equal(typeof vscode.version, 'string');
    assert.notEqual(vscode.version, '');
    assert.ok(
      vscode.extensions.getExtension('tcxc-tools.tcxc-vscode'),
      'extension tcxc-tools.tcxc-vscode not found in the extension host',
    );
  });
});
