import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import type { RTCIceServerConfig } from '../contract/events';

function turnUrl(server: string): string {
  return /^turns?:/.test(server) ? server : `turn:${server}`;
}

/**
 * TURN REST credentials as coturn's `use-auth-secret` checks them: the username carries its own
 * expiry, the credential is base64(HMAC-SHA1(secret, username)).
 */
export function turnRestCredentials(secret: string, userId: string, expiresAtSeconds: number) {
  const username = `${expiresAtSeconds}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * The RTCIceServer list for one matched video user: STUN servers (none when relay-only, where only
 * TURN may be used), then TURN with static or short-lived per-user credentials.
 */
export function buildIceServers(ice: Config['ice'], userId: string, nowMs: number, relayOnly = false): RTCIceServerConfig[] {
  const servers: RTCIceServerConfig[] = relayOnly ? [] : ice.stunServers.map((urls) => ({ urls }));
  if (!ice.turnServer) return servers;
  const urls = turnUrl(ice.turnServer);
  if (ice.turnSecret) {
    const expiresAt = Math.floor(nowMs / 1000) + ice.turnTtlSeconds;
    servers.push({ urls, ...turnRestCredentials(ice.turnSecret, userId, expiresAt) });
  } else {
    servers.push({ urls, username: ice.turnUsername, credential: ice.turnCredential });
  }
  return servers;
}

/**
 * What anyone may ask for without a match (GET /ice-servers): no TURN credentials, which go only
 * to matched video users. Relay-only lists the TURN server (without credentials) instead of STUN.
 */
export function publicIceServers(ice: Config['ice'], relayOnly: boolean): RTCIceServerConfig[] {
  if (relayOnly) return ice.turnServer ? [{ urls: turnUrl(ice.turnServer) }] : [];
  return ice.stunServers.map((urls) => ({ urls }));
}
