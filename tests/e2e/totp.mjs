// RFC 6238 (TOTP) and RFC 4648 base32, for the e2e test.
import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (case-insensitive; spaces, dashes and '=' padding ignored). */
export function base32Decode(text) {
  const clean = String(text).toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error(`not a base32 character: ${JSON.stringify(ch)}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function base32Encode(buf) {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** HOTP (RFC 4226) for one counter value. */
export function hotp(key, counter, digits = 6, algorithm = 'sha1') {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algorithm, key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin =
    ((mac[offset] & 0x7f) << 24) | ((mac[offset + 1] & 0xff) << 16) | ((mac[offset + 2] & 0xff) << 8) | (mac[offset + 3] & 0xff);
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** TOTP (RFC 6238) for a base32 secret at time `nowMs`. */
export function totp(secret, { nowMs = Date.now(), period = 30, digits = 6, algorithm = 'sha1' } = {}) {
  return hotp(base32Decode(secret), Math.floor(nowMs / 1000 / period), digits, algorithm);
}

/** Parameters of an otpauth:// URI (digits, period, algorithm), with RFC defaults. */
export function otpauthParams(uri) {
  const out = { period: 30, digits: 6, algorithm: 'sha1' };
  if (!uri) return out;
  try {
    const q = new URL(uri).searchParams;
    if (q.get('period')) out.period = Number(q.get('period'));
    if (q.get('digits')) out.digits = Number(q.get('digits'));
    if (q.get('algorithm')) out.algorithm = q.get('algorithm').toLowerCase();
  } catch {
    // keep the defaults
  }
  return out;
}
