import { createHash } from 'node:crypto';
import { PASSPHRASE_MIN_LENGTH } from '../../src-shared/desktop-bridge';

export type UnlockPurpose = 'unlock' | 'choose';

// Runs in the sandboxed page; talks only to the preload bridge. Kept inline so the page is one
// self-contained data: URL whose script is pinned by its hash in the CSP.
const UNLOCK_SCRIPT = `
const form = document.getElementById('unlock');
const message = document.getElementById('message');
const first = document.getElementById('passphrase');
const second = document.getElementById('confirm');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (second && second.value !== first.value) { message.textContent = 'The two passphrases differ.'; return; }
  const button = form.querySelector('button');
  button.disabled = true;
  message.textContent = 'Checking…';
  try {
    const result = await window.casDesktop.unlock(first.value);
    message.textContent = result.unlocked ? 'Starting…' : result.message;
    if (!result.unlocked) { first.value = ''; if (second) second.value = ''; first.focus(); }
  } catch (error) {
    message.textContent = 'The passphrase could not be checked.';
  } finally {
    button.disabled = false;
  }
});
first.focus();
`;

export const UNLOCK_SCRIPT_HASH = `sha256-${createHash('sha256').update(UNLOCK_SCRIPT).digest('base64')}`;

const STYLE = `
body { font: 14px system-ui, sans-serif; background: #10151f; color: #e6e9ef; margin: 0; padding: 24px; }
h1 { font-size: 18px; margin: 0 0 8px; } p { color: #aab2c0; margin: 0 0 16px; line-height: 1.4; }
input { width: 100%; box-sizing: border-box; padding: 8px; margin-bottom: 10px; border-radius: 6px;
  border: 1px solid #3a4456; background: #1a2130; color: inherit; }
button { padding: 8px 16px; border: 0; border-radius: 6px; background: #2f7df6; color: white; }
#message { min-height: 1.4em; color: #ffb86b; }
`;

/** The passphrase page as a self-contained `data:` URL: CSP allows only its own pinned script. */
export function unlockPageUrl(purpose: UnlockPurpose): string {
  const choose = purpose === 'choose';
  const heading = choose ? 'Choose a passphrase' : 'Unlock IPTV CAS Studio';
  const explanation = choose
    ? `This computer has no system keyring to protect the CAS master key. Choose a passphrase of at least ${PASSPHRASE_MIN_LENGTH} characters: it will be asked at every start, and without it the data cannot be read.`
    : 'The CAS master key is protected by a passphrase. Enter it to start serving.';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src '${UNLOCK_SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<title>${heading}</title><style>${STYLE}</style></head>
<body><h1>${heading}</h1><p>${explanation}</p>
<form id="unlock">
<input id="passphrase" type="password" autocomplete="off" aria-label="Passphrase" placeholder="Passphrase" required>
${choose ? '<input id="confirm" type="password" autocomplete="off" aria-label="Repeat passphrase" placeholder="Repeat passphrase" required>' : ''}
<button type="submit">${choose ? 'Protect and start' : 'Unlock'}</button>
<div id="message" role="status"></div>
</form>
<script>${UNLOCK_SCRIPT}</script>
</body></html>`;
  return `data:text/html;charset=utf-8;base64,${Buffer.from(html).toString('base64')}`;
}
