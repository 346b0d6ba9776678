// Minisign in the browser: key pairs, secret keys opened (with or without a password) and
// prehashed signatures, byte-compatible with stock minisign and with pnyx (docs/signing.md).
// Nothing here leaves the page: no request is made, no key is stored.
//
// Formats (minisign's own):
//   public key  base64("Ed" ‖ key id (8) ‖ public key (32))
//   secret key  base64("Ed" ‖ kdf ("Sc" or 0 0) ‖ "B2" ‖ salt (32) ‖ opslimit (8, LE)
//                      ‖ memlimit (8, LE) ‖ [key id (8) ‖ seed (32) ‖ public key (32)
//                      ‖ checksum (32)] XOR scrypt(password, salt) when kdf is "Sc")
//               checksum = BLAKE2b-256("Ed" ‖ key id ‖ seed ‖ public key)
//   signature   base64("ED" ‖ key id ‖ Ed25519(BLAKE2b-512(file))), then the trusted
//               comment, then base64(Ed25519(signature ‖ trusted comment)).

import * as ed from '../vendor/noble-ed25519/index.js';
import { blake2b } from '../vendor/noble-hashes/blake2.js';
import { scryptAsync } from '../vendor/noble-hashes/scrypt.js';
import { sha512 } from '../vendor/noble-hashes/sha2.js';

ed.hashes.sha512 = sha512;

const encoder = new TextEncoder();

/** scrypt limits a phone can afford: N = 2^16, r = 8, p = 1 (64 MiB, about a second). */
export const PHONE_LIMITS = { opslimit: 2097152n, memlimit: 67108864n };

function toBase64(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text) {
  const raw = atob(text.trim());
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function random(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** The key id as pnyx writes it: 16 upper-case hexadecimal digits (a little-endian u64). */
export function keyIdHex(keynum) {
  let hex = '';
  for (let i = 7; i >= 0; i--) hex += keynum[i].toString(16).padStart(2, '0');
  return hex.toUpperCase();
}

/** The line of a key file that holds the key: the first one that is not a comment. */
function keyLine(text) {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('untrusted comment:'));
  if (!line) throw new Error('no key in this file');
  return line;
}

function u64le(view, at) {
  return view.getBigUint64(at, true);
}

/** libsodium's choice of scrypt parameters from minisign's opslimit and memlimit. */
export function scryptParams(opslimit, memlimit) {
  const ops = opslimit < 32768n ? 32768n : opslimit;
  const r = 8n;
  let p;
  let logN = 1n;
  if (ops < memlimit / 32n) {
    p = 1n;
    const maxN = ops / (r * 4n);
    while (logN < 63n && 1n << logN <= maxN / 2n) logN++;
  } else {
    const maxN = memlimit / (r * 128n);
    while (logN < 63n && 1n << logN <= maxN / 2n) logN++;
    let maxrp = ops / 4n / (1n << logN);
    if (maxrp > 0x3fffffffn) maxrp = 0x3fffffffn;
    p = maxrp / r;
  }
  return { N: Number(1n << logN), r: Number(r), p: Number(p) };
}

async function stream(password, salt, opslimit, memlimit, onProgress) {
  const { N, r, p } = scryptParams(opslimit, memlimit);
  return scryptAsync(encoder.encode(password), salt, {
    N,
    r,
    p,
    dkLen: 104,
    maxmem: 128 * r * (N + p + 2) + 1024,
    onProgress,
  });
}

function xor(a, b) {
  return a.map((x, i) => x ^ b[i]);
}

/** Whether a secret key file needs a password to be opened. */
export function needsPassword(secretKeyText) {
  const bytes = fromBase64(keyLine(secretKeyText));
  return bytes[2] === 0x53 && bytes[3] === 0x63; // "Sc"
}

/**
 * Opens a minisign secret key file: one made by `minisign -G` (with a password, or `-W`
 * without), by `pnyx keygen`, or by this page. Throws when the password is wrong.
 */
export async function openSecretKey(secretKeyText, password = '', onProgress) {
  const bytes = fromBase64(keyLine(secretKeyText));
  if (bytes.length !== 158 || bytes[0] !== 0x45 || bytes[1] !== 0x64) {
    throw new Error('this is not a minisign secret key');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kdf = String.fromCharCode(bytes[2], bytes[3]);
  let sealed = bytes.slice(54, 158);
  if (kdf === 'Sc') {
    const salt = bytes.slice(6, 38);
    const key = await stream(password, salt, u64le(view, 38), u64le(view, 46), onProgress);
    sealed = xor(sealed, key);
  } else if (bytes[2] !== 0 || bytes[3] !== 0) {
    throw new Error('unknown key derivation in this secret key');
  }
  const keynum = sealed.slice(0, 8);
  const seed = sealed.slice(8, 40);
  const publicKey = sealed.slice(40, 72);
  const checksum = sealed.slice(72, 104);
  const expected = blake2b(concat(bytes.slice(0, 2), keynum, seed, publicKey), { dkLen: 32 });
  // Stock minisign leaves the checksum of a key made with -W (no password) all zeros.
  const unchecked = kdf !== 'Sc' && checksum.every((b) => b === 0);
  if (!unchecked && !expected.every((b, i) => b === checksum[i])) {
    throw new Error(kdf === 'Sc' ? 'wrong password' : 'this secret key is damaged');
  }
  const derived = ed.getPublicKey(seed);
  if (!derived.every((b, i) => b === publicKey[i])) {
    throw new Error('this secret key is damaged');
  }
  return { keynum, seed, publicKey, id: keyIdHex(keynum) };
}

/** The `.pub` file of a key, as stock minisign writes it (with all 16 digits of the id). */
export function publicKeyText(key) {
  const payload = concat(encoder.encode('Ed'), key.keynum, key.publicKey);
  return `untrusted comment: minisign public key ${key.id}\n${toBase64(payload)}\n`;
}

/**
 * A new key pair, its secret key sealed with `password` under `limits` (or left unsealed
 * when the password is empty, as `minisign -G -W` does).
 */
export async function generateKey(password = '', limits = PHONE_LIMITS, onProgress) {
  const seed = random(32);
  const publicKey = ed.getPublicKey(seed);
  const keynum = random(8);
  const key = { keynum, seed, publicKey, id: keyIdHex(keynum) };
  const sigAlg = encoder.encode('Ed');
  const checksum = blake2b(concat(sigAlg, keynum, seed, publicKey), { dkLen: 32 });
  let sealed = concat(keynum, seed, publicKey, checksum);
  const salt = random(32);
  const numbers = new Uint8Array(16);
  const view = new DataView(numbers.buffer);
  let kdf = new Uint8Array([0, 0]);
  if (password !== '') {
    kdf = encoder.encode('Sc');
    view.setBigUint64(0, limits.opslimit, true);
    view.setBigUint64(8, limits.memlimit, true);
    sealed = xor(sealed, await stream(password, salt, limits.opslimit, limits.memlimit, onProgress));
  }
  const payload = concat(sigAlg, kdf, encoder.encode('B2'), salt, numbers, sealed);
  const comment = password === '' ? 'minisign secret key' : 'minisign encrypted secret key';
  return { key, secretKeyText: `untrusted comment: ${comment}\n${toBase64(payload)}\n` };
}

/**
 * The statement of docs/signing.md: a prehashed minisign signature of `fileBytes` with
 * `trustedComment` (for example `pnyx/1 support content/initiatives/S.md`).
 */
export function sign(key, fileBytes, trustedComment) {
  if (/[\r\n]/.test(trustedComment)) throw new Error('a trusted comment is one line');
  const digest = blake2b(fileBytes, { dkLen: 64 });
  const signature = ed.sign(digest, key.seed);
  const line = concat(encoder.encode('ED'), key.keynum, signature);
  const global = ed.sign(concat(signature, encoder.encode(trustedComment)), key.seed);
  return (
    'untrusted comment: signature from minisign secret key\n' +
    `${toBase64(line)}\n` +
    `trusted comment: ${trustedComment}\n` +
    `${toBase64(global)}\n`
  );
}
