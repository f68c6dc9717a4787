import { createHash, randomBytes } from 'node:crypto';

/** Turns a client IP into the salted hash that bans, rate-limit keys and logs use instead of the IP. */
export type IpHasher = (ip: string) => string;

/** With no salt each process draws its own, so hashes stay unlinkable but differ between nodes. */
export function createIpHasher(salt: string | undefined): IpHasher {
  const secret = salt ?? randomBytes(32).toString('hex');
  return (ip) => createHash('sha256').update(secret).update(ip).digest('base64url').slice(0, 22);
}
