import * as vscode from 'vscode';
import { TcxcCredentials } from '../client/client';

/** SecretStorage key of the JSON `{ login, apiKey }` pair; one key keeps both in step. */
const SECRET_KEY = 'tcxc.credentials';

/** Context key that welcome views and menus read. */
export const HAS_CREDENTIALS_CONTEXT = 'tcxc.hasCredentials';

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

/**
 * The buyer's login and API key, kept only in VS Code's SecretStorage: never in settings, state,
 * logs or files. Reading never falls back to another store.
 */
export class CredentialStore implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((event) => {
      if (event.key === SECRET_KEY) {
        this.changeEmitter.fire();
      }
    });
  }

  /** Returns the stored credentials, or undefined when none are stored or the entry is corrupt. */
  async read(): Promise<TcxcCredentials | undefined> {
    let text: string | undefined;
    try {
      text = await this.secrets.get(SECRET_KEY);
    } catch (error) {
      throw new SecretStorageUnavailableError('Reading the TCXC credentials', error);
    }
    return text === undefined ? undefined : parseCredentials(text);
  }

  async store(credentials: TcxcCredentials): Promise<void> {
    const login = credentials.login.trim();
    const apiKey = credentials.apiKey.trim();
    if (!login || !apiKey) {
      throw new RangeError('Both the login and the API key are required');
    }
    try {
      await this.secrets.store(SECRET_KEY, JSON.stringify({ login, apiKey }));
    } catch (error) {
      throw new SecretStorageUnavailableError('Storing the TCXC credentials', error);
    }
  }

  async clear(): Promise<void> {
    try {
      await this.secrets.delete(SECRET_KEY);
    } catch (error) {
      throw new SecretStorageUnavailableError('Clearing the TCXC credentials', error);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
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
