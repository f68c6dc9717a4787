import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type TrustFunction = (address: string, hop: number) => boolean;

/** Same semantics as Express's `trust proxy` setting, so HTTP and websockets agree on the client IP. */
export function compileTrust(trust: boolean | number | string): TrustFunction {
  if (typeof trust === 'boolean') return () => trust;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyaddr.compile(trust.split(',').map((entry) => entry.trim()));
}

/** The client address: X-Forwarded-For is believed only as far as the trusted proxies go. */
export function clientIp(request: IncomingMessage, trust: TrustFunction): string {
  return proxyaddr(request as Parameters<typeof proxyaddr>[0], trust);
}
