import { describeScope } from './scopes.ts';

/** Escapes text for HTML element content and attribute values. */
const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export interface ConsentView {
  requestId: string;
  clientId: string;
  accounts: { email: string; name: string }[];
  selected?: string;
  scopes: string[];
}

/**
 * Google's consent screen, reduced to what a user decides: which account, which scopes (each can be
 * unticked, as on Google's granular consent), Allow or Cancel.
 */
export function consentPage(view: ConsentView): string {
  const selected = view.selected ?? view.accounts[0]?.email;
  const accounts = view.accounts
    .map(
      (account) =>
        `<label class="account"><input type="radio" name="email" value="${html(account.email)}"${
          account.email === selected ? ' checked' : ''
        } required> <strong>${html(account.name)}</strong> <span>${html(account.email)}</span></label>`,
    )
    .join('\n');
  const scopes = view.scopes
    .map(
      (scope) =>
        `<label class="scope"><input type="checkbox" name="scope" value="${html(scope)}" checked${
          scope === 'openid' ? ' disabled' : ''
        }> ${html(describeScope(scope))}</label>${scope === 'openid' ? `<input type="hidden" name="scope" value="openid">` : ''}`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – Google Accounts (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f0f4f9;margin:0;display:flex;justify-content:center;padding:48px 16px}
main{background:#fff;border-radius:28px;padding:36px;max-width:480px;width:100%;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-weight:400;font-size:1.6rem;margin:0 0 8px}p.note{color:#444;margin:0 0 20px}
fieldset{border:0;padding:0;margin:0 0 20px}legend{font-weight:600;margin-bottom:8px}
label{display:block;padding:8px;border-radius:8px;cursor:pointer}label:hover{background:#f0f4f9}
label.account span{color:#555}
.actions{display:flex;justify-content:flex-end;gap:12px}
button{font:inherit;border-radius:20px;padding:10px 24px;border:0;cursor:pointer}
button[value=allow]{background:#0b57d0;color:#fff}button[value=deny]{background:transparent;color:#0b57d0}
small{display:block;margin-top:24px;color:#666}
</style></head>
<body><main>
<h1>Sign in with Google</h1>
<p class="note"><strong>${html(view.clientId)}</strong> wants to access your Google Account</p>
<form method="post" action="/o/oauth2/v2/auth/approve">
<input type="hidden" name="request_id" value="${html(view.requestId)}">
<fieldset><legend>Choose an account</legend>
${accounts}
</fieldset>
<fieldset><legend>This will allow the app to</legend>
${scopes}
</fieldset>
<div class="actions"><button type="submit" name="decision" value="deny">Cancel</button>
<button type="submit" name="decision" value="allow">Allow</button></div>
</form>
<small>Local Google emulator (Firstlight). No real account is involved.</small>
</main></body></html>`;
}

export function errorPage(status: number, error: string, description: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error ${status}: ${html(error)}</title></head>
<body style="font-family:system-ui,sans-serif;padding:48px"><h1>Access blocked: authorization error</h1>
<p>${html(description)}</p><p><strong>Error ${status}: ${html(error)}</strong></p></body></html>`;
}
