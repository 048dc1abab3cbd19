import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/*
 * The dashboard password, kept as an scrypt hash that describes itself:
 *   $scrypt$ln=15,r=8,p=1$<salt, base64>$<key, base64>
 * (ln = log2 of the cost N). The parameters travel with the hash, so a stronger setting later
 * still verifies the hashes written before it. scrypt runs on libuv's thread pool (the async
 * form): a login never stalls the engine's event loop for the ~100 ms it costs.
 */

export interface ScryptParams {
  /** log2 of scrypt's cost N. */
  ln: number;
  r: number;
  p: number;
}

/** What `pivot set-password` writes: N = 32768, about 0.1 s and 32 MB on a small server. */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const FORMAT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** A parsed hash. */
interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

/** Parses a hash string; null when it is not one this module writes (or its parameters are absurd). */
function parseHash(text: string): ParsedHash | null {
  const m = FORMAT.exec(text);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Bounds that keep a hand-edited hash from asking for gigabytes or minutes.
  if (params.ln < 1 || params.ln > 20 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16)
    return null;
  const salt = Buffer.from(m[4] as string, "base64");
  const key = Buffer.from(m[5] as string, "base64");
  if (salt.length < 8 || key.length < 16) return null;
  return { params, salt, key };
}

/** True when `text` is a well-formed hash that `verifyPassword` can check. */
export function isPasswordHash(text: string): boolean {
  return parseHash(text) !== null;
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      length,
      // Twice what N and r need: node refuses a derivation at exactly its memory limit.
      { N, r: params.r, p: params.p, maxmem: 256 * N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes a password with a fresh random salt (`salt` only for tests). */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT,
  salt: Buffer = randomBytes(SALT_BYTES),
): Promise<string> {
  const key = await derive(password, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `password` matches `hash` (compared in constant time); false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}
