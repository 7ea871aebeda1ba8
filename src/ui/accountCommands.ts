import * as vscode from 'vscode';
import {
  AUTH_METHODS,
  AuthMethod,
  DEFAULT_DIGEST_ENDPOINT,
  TcxcCredentials,
  validateEndpoint,
} from '../client/client';
import { inertText, singleLine } from '../model/format';
import { Account, CredentialStore, accountNameProblem } from './credentials';
import { readRequestSettings } from './settings';

/** Argument of "TCXC: Add Account" that replaces the prompts, for keybindings and tests. */
export interface NewAccount {
  readonly name: string;
  readonly login: string;
  readonly apiKey: string;
  /** Defaults to `signature`. */
  readonly authMethod?: AuthMethod;
  /** Defaults to the `tcxc.endpoint` setting for signatures, and TCXC's Digest host for Digest. */
  readonly endpoint?: string;
}

const AUTH_CHOICES: readonly (vscode.QuickPickItem & { readonly method: AuthMethod })[] = [
  {
    label: 'Signature',
    description: 'default',
    detail: 'Each request carries a SHA-256 signature of the login, API key and time.',
    method: 'signature',
  },
  {
    label: 'HTTP Digest',
    detail: "Login as user name and API key as password, on TCXC's second API host.",
    method: 'digest',
  },
];

const STEPS = 5;

/**
 * Asks for a new account's name, authentication method, endpoint, login and API key, in that
 * order, and returns undefined when the user cancels a step. Every value is checked as it is
 * typed.
 */
export async function promptNewAccount(
  accounts: readonly Account[],
): Promise<NewAccount | undefined> {
  const name = await vscode.window.showInputBox({
    title: `TCXC: Add Account (1/${STEPS})`,
    prompt: 'Name of the account, as the tree and the status bar show it',
    ignoreFocusOut: true,
    validateInput: (value) => accountNameProblem(value, accounts),
  });
  if (name === undefined) {
    return undefined;
  }
  const auth = await vscode.window.showQuickPick(AUTH_CHOICES, {
    title: `TCXC: Add Account (2/${STEPS})`,
    placeHolder: 'How requests prove the account',
    ignoreFocusOut: true,
  });
  if (auth === undefined) {
    return undefined;
  }
  const endpoint = await vscode.window.showInputBox({
    title: `TCXC: Add Account (3/${STEPS})`,
    prompt: 'URL of the buyer call-history API',
    value: defaultEndpoint(auth.method),
    ignoreFocusOut: true,
    validateInput: endpointProblem,
  });
  if (endpoint === undefined) {
    return undefined;
  }
  const login = await vscode.window.showInputBox({
    title: `TCXC: Add Account (4/${STEPS})`,
    prompt: 'TCXC buyer login (api_login)',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter the login of the buyer account.'),
  });
  if (login === undefined) {
    return undefined;
  }
  const apiKey = await vscode.window.showInputBox({
    title: `TCXC: Add Account (5/${STEPS})`,
    prompt: 'TCXC API key (TCXC portal, Preferences). It is kept in VS Code secret storage.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter the API key.'),
  });
  if (apiKey === undefined) {
    return undefined;
  }
  return { name, login, apiKey, authMethod: auth.method, endpoint };
}

/**
 * Checks a new account and adds it as the active account. An endpoint equal to the
 * `tcxc.endpoint` setting is not stored, so the account follows later changes of the setting.
 */
export async function addAccount(store: CredentialStore, details: unknown): Promise<Account> {
  checkNewAccount(details);
  const authMethod = details.authMethod ?? 'signature';
  const endpointText = details.endpoint?.trim() || defaultEndpoint(authMethod);
  const endpoint = validateEndpoint(endpointText);
  const followsSetting = endpointText === readRequestSettings().endpoint;
  const credentials: TcxcCredentials = { login: details.login, apiKey: details.apiKey };
  return store.addAccount(
    { name: details.name, authMethod, endpoint: followsSetting ? undefined : endpoint },
    credentials,
  );
}

/**
 * Finds an account by id or by name, regardless of case, or shows a picker. Returns
 * undefined when the user cancels, and throws when a given name matches no account.
 */
export async function chooseAccount(
  store: CredentialStore,
  target: unknown,
  title: string,
): Promise<Account | undefined> {
  const accounts = store.accounts;
  if (typeof target === 'string') {
    const expected = target.trim().toLowerCase();
    const found = accounts.find(
      (account) => account.id === target || account.name.toLowerCase() === expected,
    );
    if (!found) {
      throw new RangeError(`No TCXC account is named "${singleLine(target)}"`);
    }
    return found;
  }
  if (accounts.length === 0) {
    void vscode.window.showInformationMessage(
      'No TCXC accounts exist yet. Run "TCXC: Add Account" to add one.',
    );
    return undefined;
  }
  const active = store.activeAccount;
  const pick = await vscode.window.showQuickPick(
    accounts.map((account) => ({
      label: inertText(singleLine(account.name)),
      description: account.id === active?.id ? 'active' : undefined,
      detail: describeAccount(account),
      account,
    })),
    { title, placeHolder: 'Pick an account' },
  );
  return pick?.account;
}

/** Describes how an account connects, for pickers and tooltips; never its login or key. */
export function describeAccount(account: Account): string {
  const method = account.authMethod === 'digest' ? 'HTTP Digest' : 'Signature';
  const endpoint = account.endpoint ?? 'the tcxc.endpoint setting';
  return `${method} · ${endpoint}`;
}

/** Checks an argument of "TCXC: Add Account" field by field, so a mistake gets a clear message. */
function checkNewAccount(value: unknown): asserts value is NewAccount {
  if (typeof value !== 'object' || value === null) {
    throw new RangeError('Invalid account: expected an object with name, login and apiKey');
  }
  const { name, login, apiKey, authMethod, endpoint } = value as Record<string, unknown>;
  for (const [field, text] of Object.entries({ name, login, apiKey })) {
    if (typeof text !== 'string' || text.trim() === '') {
      throw new RangeError(`Invalid account: "${field}" must be non-empty text`);
    }
  }
  if (authMethod !== undefined && !(AUTH_METHODS as readonly unknown[]).includes(authMethod)) {
    throw new RangeError(
      `Invalid account: "authMethod" must be signature or digest, not ${JSON.stringify(authMethod)}`,
    );
  }
  if (endpoint !== undefined && typeof endpoint !== 'string') {
    throw new RangeError('Invalid account: "endpoint" must be text');
  }
}

function defaultEndpoint(method: AuthMethod): string {
  return method === 'digest' ? DEFAULT_DIGEST_ENDPOINT : readRequestSettings().endpoint;
}

function endpointProblem(value: string): string | undefined {
  try {
    validateEndpoint(value);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
