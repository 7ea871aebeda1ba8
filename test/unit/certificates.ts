import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A private key and its certificate, both PEM. */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/** Certificates made for one test run by {@link createTestCertificates}. */
export interface TestCertificates {
  /** The private certificate authority that signed `server` and `localhostOnly`. */
  readonly authority: KeyPair;
  /** Issued by `authority` for IP 127.0.0.1 and DNS localhost. */
  readonly server: KeyPair;
  /** Issued by `authority` for DNS localhost only, so 127.0.0.1 does not match it. */
  readonly localhostOnly: KeyPair;
  /** Self-signed, for IP 127.0.0.1 and DNS localhost, signed by no authority. */
  readonly selfSigned: KeyPair;
  /** Removes the temporary folder that contains the files. */
  remove(): void;
}

/** P-256 keys, because generating them takes milliseconds where RSA takes up to seconds. */
const KEY_OPTIONS = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
const LOOPBACK_NAMES = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/**
 * Creates a private certificate authority and certificates for 127.0.0.1 with the openssl
 * command line tool (OpenSSL 1.1.1 or later, for `-addext`), in a new temporary folder.
 */
export function createTestCertificates(): TestCertificates {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-certificates-'));
  const file = (name: string): string => path.join(folder, name);
  const read = (name: string): string => fs.readFileSync(file(name), 'utf8');
  // `command` is split into arguments at spaces, so arguments with spaces go into `extra`.
  const run = (command: string, ...extra: string[]): void => {
    const args = [...command.split(' '), ...extra];
    execFileSync('openssl', args, { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  };

  run(
    `req -x509 ${KEY_OPTIONS} -keyout ca.key -out ca.crt -days 2`,
    '-subj',
    '/CN=TCXC test authority',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );

  const issue = (name: string, extensions: string): void => {
    fs.writeFileSync(
      file(`${name}.ext`),
      `${extensions}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    run(
      `req ${KEY_OPTIONS} -keyout ${name}.key -out ${name}.csr`,
      '-subj',
      `/CN=TCXC test ${name}`,
    );
    run(
      `x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 ` +
        `-extfile ${name}.ext -out ${name}.crt`,
    );
  };
  issue('server', LOOPBACK_NAMES);
  issue('localhost', 'subjectAltName=DNS:localhost');

  run(
    `req -x509 ${KEY_OPTIONS} -keyout self.key -out self.crt -days 2`,
    '-subj',
    '/CN=TCXC test self-signed',
    '-addext',
    LOOPBACK_NAMES,
  );

  return {
    authority: { key: read('ca.key'), cert: read('ca.crt') },
    server: { key: read('server.key'), cert: read('server.crt') },
    localhostOnly: { key: read('localhost.key'), cert: read('localhost.crt') },
    selfSigned: { key: read('self.key'), cert: read('self.crt') },
    remove: () => fs.rmSync(folder, { recursive: true, force: true }),
  };
}
