// Starts the real Huddle Presence server for the integration tests: the jar Maven built
// (huddle-server/target/huddle-server.jar, or $HUDDLE_SERVER_JAR), on a free port, with its own data
// directory, and stops it afterwards. Every test signs its users in as guests from this one address, so
// the per-address limit on guest sign-ins (X2) is lifted, as for the load tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const JAR = process.env.HUDDLE_SERVER_JAR
  ?? fileURLToPath(new URL('../../../huddle-server/target/huddle-server.jar', import.meta.url));

export default async function startServer({ provide }) {
  if (!existsSync(JAR)) {
    throw new Error(`The server jar ${JAR} is missing. Build it first: mvn -q -pl huddle-server -am package -DskipTests `
      + '(scripts/test.sh builds it before these tests).');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'huddle-js-it-'));
  const server = spawn('java', ['-jar', JAR, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir,
    '--guest-sign-ins-per-address-per-minute', '100000', '--guest-sign-ins-per-minute', '10000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 60 s:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/\S+?)\/?$/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
  });
  provide('serverUrl', url);
  return async () => {
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
}
