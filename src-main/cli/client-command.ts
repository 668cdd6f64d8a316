import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CasClient, CasClientError, deviceKeyPairFromSecret, DeviceProtocolError, generateDeviceKeyPair } from '../../src-shared/client';
import { base64ToBytes, bytesToBase64, bytesToHex } from '../../src-shared/protocol/device-encoding';
import { readStdin } from './options';

/** What the reference client keeps between runs: its X25519 key pair and the pinned CAS key. */
interface ClientState {
  deviceSecretKey: string;
  casPublicKey?: string;
}

interface ClientOptions {
  server: string;
  username: string;
  hwid: string;
  state: string;
  tokenStdin?: boolean;
  json?: boolean;
}

function loadState(file: string): ClientState {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ClientState;
  return { deviceSecretKey: bytesToBase64(generateDeviceKeyPair().secretKey) };
}

/** Written to a temp file first and renamed, mode 0600: it holds the device secret key. */
function saveState(file: string, state: ClientState): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

async function signedInClient(options: ClientOptions): Promise<{ client: CasClient; auth: Awaited<ReturnType<CasClient['auth']>> }> {
  const token = options.tokenStdin ? await readStdin() : process.env.CAS_CLIENT_TOKEN;
  if (!token) {
    console.error('Give the account token on standard input with --token-stdin, or in CAS_CLIENT_TOKEN');
    process.exit(2);
  }
  const state = loadState(options.state);
  const secret = base64ToBytes(state.deviceSecretKey);
  if (!secret || secret.length !== 32) throw new Error(`${options.state}: deviceSecretKey is not a 32-byte key`);
  const client = new CasClient({
    baseUrl: options.server,
    username: options.username,
    token,
    hwid: options.hwid,
    deviceKeys: deviceKeyPairFromSecret(secret),
    casPublicKey: state.casPublicKey ? (base64ToBytes(state.casPublicKey) ?? undefined) : undefined,
  });
  const auth = await client.auth();
  // Trust on first use: the CAS key is pinned from now on.
  saveState(options.state, { ...state, casPublicKey: auth.casPublicKey });
  return { client, auth };
}

function withCommonOptions(command: Command): Command {
  return command
    .requiredOption('--server <url>', 'the CAS client API, e.g. http://cas.lan:8100 (or CAS_SERVER)', process.env.CAS_SERVER)
    .requiredOption('--username <name>', 'the subscriber account (or CAS_CLIENT_USERNAME)', process.env.CAS_CLIENT_USERNAME)
    .requiredOption('--hwid <id>', 'this device\'s hardware id (or CAS_CLIENT_HWID)', process.env.CAS_CLIENT_HWID)
    .option('--token-stdin', 'read the account token from standard input (else CAS_CLIENT_TOKEN)')
    .option('--state <file>', 'device key pair and pinned CAS key (created, mode 0600)', join(homedir(), '.cas-studio-client.json'))
    .option('--json', 'print JSON');
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CasClientError) {
      console.error(`${error.message}${error.reason ? ` (${error.reason})` : ''}`);
      process.exit(error.status === 401 || error.status === 403 ? 3 : 1);
    }
    if (error instanceof DeviceProtocolError) {
      console.error(error.message);
      process.exit(4);
    }
    throw error;
  }
}

/** `cas-studio client auth|channels|key <channel>`: the reference device client on the command line. */
export function registerClientCommand(program: Command): void {
  const client = program.command('client').description('The reference device client: sign in, list channels, derive a content key via ECM/EMM');

  withCommonOptions(client.command('auth').description('Sign in with token + HWID (HMAC) and show the session')).action((options: ClientOptions) =>
    run(async () => {
      const { auth } = await signedInClient(options);
      if (options.json) return void console.log(JSON.stringify({ ...auth, session: { ...auth.session, token: undefined } }, null, 2));
      console.log(`Signed in as ${auth.account.username}, device ${auth.device.id} (${auth.device.hwid})`);
      console.log(`Session valid until ${auth.session.expiresAt}; ${auth.streamInfo.channels.length} channel(s)`);
      console.log(`CAS signing key ${auth.casPublicKey} (pinned in ${options.state})`);
    }),
  );

  withCommonOptions(client.command('channels').description('List the channels this device may watch, with signed stream URLs')).action(
    (options: ClientOptions) =>
      run(async () => {
        const { auth } = await signedInClient(options);
        const channels = auth.streamInfo.channels;
        if (options.json) return void console.log(JSON.stringify(channels, null, 2));
        for (const c of channels) {
          console.log(`${String(c.number ?? '-').padStart(5)}  ${c.id}  ${c.name}`);
          console.log(`       stream ${c.streamUrl ?? '(no stream base URL configured)'}`);
          if (c.watermark) console.log(`       watermark "${c.watermark.text}" ${c.watermark.position}`);
        }
      }),
  );

  withCommonOptions(
    client
      .command('key')
      .argument('<channel>', 'the channel id')
      .option('--period <n>', 'a crypto period number (default: the current one)')
      .description("Derive a channel's content key through the ECM and this device's EMM (not the HLS key URL)"),
  ).action((channel: string, options: ClientOptions & { period?: string }) =>
    run(async () => {
      const { client: device } = await signedInClient(options);
      const period = options.period === undefined ? undefined : Number(options.period);
      if (period !== undefined && !Number.isInteger(period)) {
        console.error('--period: a whole number');
        process.exit(2);
      }
      const word = await device.controlWord(channel, { period });
      const out = {
        channel: word.channel,
        period: word.period,
        generation: word.generation,
        start: new Date(word.start * 1000).toISOString(),
        end: new Date(word.end * 1000).toISOString(),
        key: bytesToHex(word.key),
        iv: bytesToHex(word.iv),
        package: word.package,
        epoch: word.epoch,
      };
      if (options.json) return void console.log(JSON.stringify(out, null, 2));
      console.log(`key ${out.key}\niv  ${out.iv}\nperiod ${out.period} (generation ${out.generation}) ${out.start} – ${out.end}\nvia package ${out.package} epoch ${out.epoch}`);
    }),
  );
}
