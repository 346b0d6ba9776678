// Signing in the page: shows the form that the page carries hidden (it reads the same without
// JavaScript), makes or opens the citizen's key here, signs the exact bytes the site publishes
// at sources/<path> with the trusted comment of docs/signing.md, and offers the results as
// downloads and pre-filled forge pages. Nothing is sent anywhere by this script.

import * as minisign from './minisign.js';

const form = document.querySelector('form.browser-sign');

function download(link, name, text) {
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  link.download = name;
}

function forgeLink(link, forgeNew, path, text) {
  if (!forgeNew) {
    link.hidden = true;
    return;
  }
  const query = `filename=${encodeURIComponent(path)}&value=${encodeURIComponent(text)}`;
  link.href = `${forgeNew}?${query}`;
}

function show(selector, visible) {
  form.querySelectorAll(selector).forEach((el) => {
    el.hidden = !visible;
  });
}

/** The vote's argument from the ballot fieldset (docs/decisions.md): `yes`, `a,b`, `b>a=c`,
 *  `a=good,b=poor`; empty when nothing is chosen. */
function ballotArgument() {
  const ballot = form.querySelector('.browser-sign-ballot');
  if (!ballot) return null;
  const picked = (name) => [...ballot.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
  switch (ballot.dataset.method) {
    case 'majority':
    case 'approval':
    case 'dates':
      return picked('choice').join(',');
    case 'ranked': {
      const ranks = new Map();
      for (const select of ballot.querySelectorAll('select[name=rank]')) {
        if (select.value === '') continue;
        const n = Number(select.value);
        ranks.set(n, [...(ranks.get(n) ?? []), select.dataset.option]);
      }
      return [...ranks.keys()].sort((a, b) => a - b).map((n) => ranks.get(n).join('=')).join('>');
    }
    case 'judgment':
      return [...ballot.querySelectorAll('select[name=grade]')].map((s) => `${s.dataset.option}=${s.value}`).join(',');
    default:
      return '';
  }
}

async function signHere(event) {
  event.preventDefault();
  // On the members page, the file to sign is the key chosen in the form.
  const subject = form.elements.subject?.value ?? '';
  const data = Object.fromEntries(
    Object.entries(form.dataset).map(([k, v]) => [k, v.replaceAll('{subject}', subject)]),
  );
  const status = form.querySelector('.browser-sign-status');
  const result = form.querySelector('.browser-sign-result');
  const fields = form.elements;
  const fresh = fields['key-source'].value === 'new';
  const password = fields.password.value;
  // A name is published only when the citizen chose to be named.
  const name = fields['shown-as'].value === 'name' ? fields.name.value.trim() : '';
  result.hidden = true;
  const argument = ballotArgument();
  if (argument === '') {
    status.textContent = `${data.msgFailed} ${data.msgNoChoice}`;
    return;
  }
  status.textContent = data.msgWorking;
  try {
    let key;
    let secretKeyText = '';
    if (fresh) {
      ({ key, secretKeyText } = await minisign.generateKey(password));
    } else {
      const file = fields['key-file'].files[0];
      if (!file) throw new Error(data.msgNoFile);
      try {
        key = await minisign.openSecretKey(await file.text(), password);
      } catch (e) {
        throw new Error(e.message === 'wrong password' ? data.msgWrongPassword : e.message);
      }
    }
    const response = await fetch(data.file, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${data.file}: ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const verb = fields.verb.value;
    const comment = `pnyx/1 ${verb} ${data.path}` + (argument === null ? '' : ` ${argument}`);
    const statement = minisign.sign(key, bytes, comment);
    const statementPath = `${data.folder}/${key.id}.minisig`;
    fields.statement.value = statement;
    download(form.querySelector('.download-statement'), `${key.id}.minisig`, statement);
    forgeLink(form.querySelector('.forge-statement'), data.forgeNew, statementPath, statement);
    const mail = form.querySelector('.mail-statement');
    show('.for-email', data.email !== '');
    if (data.email !== '') {
      // The statement first; a new key's public file after it, to be published with it.
      const parts = [`${statementPath}\n${statement}`];
      if (fresh) parts.push(`signatures/keys/${key.id}.pub\n${minisign.publicKeyText(key)}`);
      const subject = `${data.msgMailSubject} ${statementPath}`;
      mail.href = `mailto:${data.email}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(parts.join('\n'))}`;
    }
    show('.for-new-key', fresh);
    show('.for-name', fresh && name !== '');
    if (fresh) {
      const publicText = minisign.publicKeyText(key);
      const keyPath = `signatures/keys/${key.id}.pub`;
      download(form.querySelector('.save-secret'), `${key.id}.key`, secretKeyText);
      download(form.querySelector('.download-public'), `${key.id}.pub`, publicText);
      forgeLink(form.querySelector('.forge-key'), data.forgeNew, keyPath, publicText);
      if (name !== '') {
        // A double-quoted YAML string: JSON's escapes are YAML's.
        const profile = `name: ${JSON.stringify(name)}\n`;
        forgeLink(form.querySelector('.forge-profile'), data.forgeNew, `signatures/keys/${key.id}.yaml`, profile);
      }
    }
    status.textContent = '';
    result.hidden = false;
    result.querySelector('a:not([hidden])')?.focus();
  } catch (e) {
    status.textContent = `${data.msgFailed} ${e.message}`;
  }
}

if (form && globalThis.crypto?.getRandomValues && globalThis.fetch) {
  const sync = () => {
    const fresh = form.elements['key-source'].value === 'new';
    show('.browser-sign-file', !fresh);
    show('.browser-sign-name', fresh);
    show('.browser-sign-name-field', fresh && form.elements['shown-as'].value === 'name');
  };
  form.addEventListener('change', sync);
  form.addEventListener('submit', signHere);
  const copy = form.querySelector('.copy-statement');
  copy.hidden = !navigator.clipboard;
  copy.addEventListener('click', async () => {
    await navigator.clipboard.writeText(form.elements.statement.value);
    form.querySelector('.copy-status').textContent = form.dataset.msgCopied;
  });
  sync();
  form.hidden = false;
}
