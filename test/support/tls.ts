import { execFileSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { TARGET } from './target';

export interface TestPki {
  dir: string;
  ca: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  /** The server's files as the broker sees them (WARREN_TLS_DIR_IN_BROKER), for its TLS listener. */
  serverCertFile: string;
  serverKeyFile: string;
  caFile: string;
}

/**
 * A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate, written under
 * the target's WARREN_TLS_DIR (a directory its broker can read, e.g. inside its chroot), else the temp dir.
 */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(TARGET.tlsDir?.here ?? tmpdir(), 'warren-tls-'));
  const inBroker = (file: string) => (TARGET.tlsDir ? join(TARGET.tlsDir.inBroker, relative(TARGET.tlsDir.here, dir), file) : join(dir, file));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 30_000 });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=warren-test-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, cn, ext] of [
    ['server', 'localhost', ['-extfile', 'server.ext']],
    ['client', 'warren-client', []],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...ext);
  }
  // The broker runs as its own user and must read these.
  chmodSync(dir, 0o755);
  for (const file of readdirSync(dir)) chmodSync(join(dir, file), 0o644);
  return {
    dir,
    ca: readFileSync(join(dir, 'ca.crt')),
    clientCert: readFileSync(join(dir, 'client.crt')),
    clientKey: readFileSync(join(dir, 'client.key')),
    caFile: inBroker('ca.crt'),
    serverCertFile: inBroker('server.crt'),
    serverKeyFile: inBroker('server.key'),
  };
}
