import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { AUTH_METHODS, AuthMethod, TcxcCredentials } from '../client/client';
import { UNSAFE_CHARACTER } from '../model/format';

/** SecretStorage key of the single login and API key that versions before accounts stored. */
const LEGACY_SECRET_KEY = 'tcxc.credentials';

/** Context key that welcome views and menus read. */
export const HAS_CREDENTIALS_CONTEXT = 'tcxc.hasCredentials';

/** Context key that is true when at least one account exists. */
export const HAS_ACCOUNTS_CONTEXT = 'tcxc.hasAccounts';

/** Thrown when VS Code's secret storage cannot be read or written. */
export class SecretStorageUnavailableError extends Error {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${operation} failed because VS Code's secret storage is not available (${reason}). ` +
        'On Linux, install and unlock a keyring such as GNOME Keyring or KWallet, or start VS Code ' +
        'with --password-store=gnome-libsecret. Nothing was written in plain text.',
    );
    this.name = 'SecretStorageUnavailableError';
  }
}

/** Thrown when a request is about to be sent and no credentials are stored. */
export class MissingCredentialsError extends Error {
  constructor() {
    super('No TCXC credentials are stored. Run "TCXC: Set Credentials" to add them.');
    this.name = 'MissingCredentialsError';
  }
}

/** Non-secret details of one TCXC account, kept in the extension's global state. */
export interface Account {
  /** Random id that names the account's SecretStorage entry. */
  readonly id: string;
  /** Name the user gave the account, unique regardless of case. */
  readonly name: string;
  /** API URL; when missing, the `tcxc.endpoint` setting applies. */
  readonly endpoint?: string;
  readonly authMethod: AuthMethod;
}

/** An account together with its login and API key. */
export interface AccountCredentials {
  readonly account: Account;
  readonly credentials: TcxcCredentials;
}

/** The shape kept in global state under {@link ACCOUNTS_STATE_KEY}. */
interface AccountsState {
  readonly accounts: readonly Account[];
  readonly activeId?: string;
}

/** Global-state key of the account list and the active account. */
const ACCOUNTS_STATE_KEY = 'tcxc.accounts';

/** Name of the account that "Set Credentials" creates when there is none. */
export const DEFAULT_ACCOUNT_NAME = 'Default';

/** Maximum length of an account name, so that names fit in the status bar and the tree. */
export const MAX_ACCOUNT_NAME_LENGTH = 60;

/** SecretStorage key of one account's JSON `{ login, apiKey }` pair. */
export function secretKeyOf(accountId: string): string {
  return `tcxc.account.${accountId}`;
}

/**
 * TCXC accounts: each has a name, an endpoint and an authentication method in global state, and
 * its login and API key in VS Code's SecretStorage only: never in settings, state, logs or files.
 * One account is active, and every request uses it. `read`, `store` and `clear` act on the active
 * account, and `store` creates a {@link DEFAULT_ACCOUNT_NAME} account when there is none.
 */
export class CredentialStore implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the accounts, the active account or any account's secret change. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private migration: Promise<void> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {
    this.subscription = secrets.onDidChange((event) => {
      if (event.key === LEGACY_SECRET_KEY || event.key.startsWith('tcxc.account.')) {
        this.changeEmitter.fire();
      }
    });
    // A failure here is reported by the first read or write, which tries again.
    this.ensureMigrated().catch(() => undefined);
  }

  /** Accounts in the order they were added. */
  get accounts(): readonly Account[] {
    return this.readState().accounts;
  }

  get activeAccount(): Account | undefined {
    const { accounts, activeId } = this.readState();
    return accounts.find((account) => account.id === activeId) ?? accounts[0];
  }

  /** Returns the login and API key of the active account, or undefined when none are stored. */
  async read(): Promise<TcxcCredentials | undefined> {
    return (await this.readActive())?.credentials;
  }

  /** Returns the active account with its login and API key, or undefined when none are stored. */
  async readActive(): Promise<AccountCredentials | undefined> {
    await this.ensureMigrated();
    const account = this.activeAccount;
    if (!account) {
      return undefined;
    }
    const credentials = await this.readSecret(secretKeyOf(account.id));
    return credentials && { account, credentials };
  }

  /** Returns the login and API key stored for an account, or undefined when none are stored. */
  async readAccount(accountId: string): Promise<TcxcCredentials | undefined> {
    await this.ensureMigrated();
    return this.readSecret(secretKeyOf(accountId));
  }

  /** Stores a login and API key for the active account, creating one when there is none. */
  async store(credentials: TcxcCredentials): Promise<void> {
    await this.ensureMigrated();
    const account = this.activeAccount;
    if (!account) {
      await this.addAccount({ name: DEFAULT_ACCOUNT_NAME, authMethod: 'signature' }, credentials);
      return;
    }
    await this.writeSecret(account.id, credentials);
  }

  /** Deletes the login and API key of the active account; the account itself stays. */
  async clear(): Promise<void> {
    await this.ensureMigrated();
    const account = this.activeAccount;
    if (account) {
      await this.deleteSecret(account.id);
    }
  }

  /**
   * Adds an account, stores its secret first so that no account exists without one, and makes it
   * the active account.
   */
  async addAccount(details: Omit<Account, 'id'>, credentials: TcxcCredentials): Promise<Account> {
    await this.ensureMigrated();
    const problem = accountNameProblem(details.name, this.accounts);
    if (problem) {
      throw new RangeError(`Invalid account name: ${problem}`);
    }
    if (!(AUTH_METHODS as readonly unknown[]).includes(details.authMethod)) {
      throw new RangeError(
        `Invalid authentication method "${String(details.authMethod)}": expected signature or digest`,
      );
    }
    const account: Account = { ...details, name: details.name.trim(), id: randomUUID() };
    await this.writeSecret(account.id, credentials);
    await this.writeState({ accounts: [...this.accounts, account], activeId: account.id });
    return account;
  }

  /** Makes the account with this id the active one. */
  async switchTo(accountId: string): Promise<Account> {
    await this.ensureMigrated();
    const account = this.accounts.find((candidate) => candidate.id === accountId);
    if (!account) {
      throw new RangeError(`No TCXC account has the id ${accountId}`);
    }
    await this.writeState({ accounts: this.accounts, activeId: account.id });
    return account;
  }

  /**
   * Removes an account and deletes its login and API key. When it was active, the first account
   * left becomes active.
   */
  async removeAccount(accountId: string): Promise<void> {
    await this.ensureMigrated();
    await this.deleteSecret(accountId);
    const { accounts, activeId } = this.readState();
    const left = accounts.filter((account) => account.id !== accountId);
    await this.writeState({
      accounts: left,
      activeId: activeId === accountId ? left[0]?.id : activeId,
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  /** Runs {@link migrateSingleAccount} once, and again after a failure. */
  private ensureMigrated(): Promise<void> {
    this.migration ??= this.migrateSingleAccount().catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    return this.migration;
  }

  /**
   * Turns the single login and API key that earlier versions stored into a
   * {@link DEFAULT_ACCOUNT_NAME} account.
   */
  private async migrateSingleAccount(): Promise<void> {
    const legacy = await this.readSecret(LEGACY_SECRET_KEY);
    if (!legacy || this.accounts.length > 0) {
      // An unreadable entry, or one that accounts have replaced, is deleted so no key lingers.
      if ((await this.secrets.get(LEGACY_SECRET_KEY)) !== undefined) {
        await this.secrets.delete(LEGACY_SECRET_KEY);
      }
      return;
    }
    const account: Account = {
      id: randomUUID(),
      name: DEFAULT_ACCOUNT_NAME,
      authMethod: 'signature',
    };
    await this.writeSecret(account.id, legacy);
    await this.writeState({ accounts: [account], activeId: account.id });
    await this.secrets.delete(LEGACY_SECRET_KEY);
  }

  private readState(): AccountsState {
    return parseAccountsState(this.state.get<unknown>(ACCOUNTS_STATE_KEY));
  }

  private async writeState(next: AccountsState): Promise<void> {
    await this.state.update(ACCOUNTS_STATE_KEY, next);
    this.changeEmitter.fire();
  }

  private async readSecret(key: string): Promise<TcxcCredentials | undefined> {
    let text: string | undefined;
    try {
      text = await this.secrets.get(key);
    } catch (error) {
      throw new SecretStorageUnavailableError('Reading the TCXC credentials', error);
    }
    return text === undefined ? undefined : parseCredentials(text);
  }

  private async writeSecret(accountId: string, credentials: TcxcCredentials): Promise<void> {
    const login = credentials.login.trim();
    const apiKey = credentials.apiKey.trim();
    if (!login || !apiKey) {
      throw new RangeError('Both the login and the API key are required');
    }
    try {
      await this.secrets.store(secretKeyOf(accountId), JSON.stringify({ login, apiKey }));
    } catch (error) {
      throw new SecretStorageUnavailableError('Storing the TCXC credentials', error);
    }
  }

  private async deleteSecret(accountId: string): Promise<void> {
    try {
      await this.secrets.delete(secretKeyOf(accountId));
    } catch (error) {
      throw new SecretStorageUnavailableError('Clearing the TCXC credentials', error);
    }
  }
}

/**
 * Returns why a new account name cannot be used, or undefined when it can: names are required,
 * at most {@link MAX_ACCOUNT_NAME_LENGTH} characters, and unique regardless of case.
 */
export function accountNameProblem(name: string, accounts: readonly Account[]): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) {
    return 'Enter a name for the account, such as "Wholesale EU".';
  }
  if (trimmed.length > MAX_ACCOUNT_NAME_LENGTH) {
    return `Use at most ${MAX_ACCOUNT_NAME_LENGTH} characters.`;
  }
  if (UNSAFE_CHARACTER.test(trimmed) || INVISIBLE_CHARACTER.test(trimmed)) {
    return 'Use visible characters only: no line breaks, control or direction characters.';
  }
  if (!VISIBLE_CHARACTER.test(trimmed)) {
    return 'Use at least one visible character.';
  }
  const compared = comparableName(trimmed);
  if (accounts.some((account) => comparableName(account.name) === compared)) {
    return `An account named "${trimmed}" exists already.`;
  }
  return undefined;
}

/**
 * Characters that draw nothing or only change the one before: format characters, variation
 * selectors, tags and the Hangul fillers. They would let two names look the same.
 */
const INVISIBLE_CHARACTER =
  /\p{Cf}|\u034f|\u115f|\u1160|\u3164|\uffa0|[\u180b-\u180f]|[\ufe00-\ufe0f]|[\u{e0000}-\u{e007f}]|[\u{e0100}-\u{e01ef}]/u;

/** A character that draws something: a letter, digit, mark, punctuation or symbol. */
const VISIBLE_CHARACTER = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Returns the form in which two names count as the same: compatibility-normalized (NFKC), so
 * that a no-break or wide space equals a space, with runs of spaces made one, in lower case.
 */
function comparableName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** Reads the stored account list, dropping entries of the wrong shape. */
function parseAccountsState(value: unknown): AccountsState {
  if (typeof value !== 'object' || value === null) {
    return { accounts: [] };
  }
  const { accounts, activeId } = value as Record<string, unknown>;
  const valid = Array.isArray(accounts) ? accounts.filter(isAccount) : [];
  return { accounts: valid, activeId: typeof activeId === 'string' ? activeId : undefined };
}

function isAccount(value: unknown): value is Account {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { id, name, endpoint, authMethod } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    typeof name === 'string' &&
    (endpoint === undefined || typeof endpoint === 'string') &&
    (AUTH_METHODS as readonly unknown[]).includes(authMethod)
  );
}

function parseCredentials(text: string): TcxcCredentials | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null) {
      const { login, apiKey } = value as Record<string, unknown>;
      if (typeof login === 'string' && typeof apiKey === 'string' && login && apiKey) {
        return { login, apiKey };
      }
    }
  } catch {
    // A corrupt entry counts as no credentials; the user is asked to set them again.
  }
  return undefined;
}

/** Asks for the login and the API key (in a password box) and stores them. */
export async function promptAndStoreCredentials(
  store: CredentialStore,
): Promise<TcxcCredentials | undefined> {
  const current = await store.read();
  const login = await vscode.window.showInputBox({
    title: 'TCXC: Set Credentials (1/2)',
    prompt: 'TCXC buyer login (api_login)',
    value: current?.login,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter the login of the buyer account.'),
  });
  if (login === undefined) {
    return undefined;
  }
  const apiKey = await vscode.window.showInputBox({
    title: 'TCXC: Set Credentials (2/2)',
    prompt: 'TCXC API key (TCXC portal, Preferences). It is kept in VS Code secret storage.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter the API key.'),
  });
  if (apiKey === undefined) {
    return undefined;
  }
  const credentials = { login: login.trim(), apiKey: apiKey.trim() };
  await store.store(credentials);
  return credentials;
}
