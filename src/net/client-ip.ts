import ipaddr from 'ipaddr.js';

export interface ClientIpOptions {
  trustProxy: boolean;
  trustedProxyDepth: number;
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Four decimal parts from 0 to 255 without leading zeros: the form `normalizeIp` returns for IPv4. */
const CANONICAL_IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * Returns an address in canonical form: IPv4-mapped IPv6 becomes IPv4
 * (`::ffff:203.0.113.5` → `203.0.113.5`) and IPv6 is compressed, so two
 * spellings of one address compare equal. Returns undefined for anything that
 * is not an IP address. IPv4 must be four decimal parts: ipaddr.js would also
 * read `127.1`, `2130706433` and octal `010.0.0.1`, which no proxy writes.
 */
export function normalizeIp(address: string): string | undefined {
  // Most requests come from a socket with a plain IPv4 address, already canonical; this skips ipaddr.js's parse and print.
  if (CANONICAL_IPV4.test(address)) return address;
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return undefined;
  return ipaddr.process(address).toString();
}

/**
 * Resolves the client address of a request.
 *
 * Without `trustProxy` this is the socket's peer. With it, the entry of
 * `X-Forwarded-For` that is `trustedProxyDepth` places from the right: the
 * address the outermost trusted proxy saw. Entries further left are written
 * by the client and are never trusted. A header shorter than the depth, or an
 * entry that is not an address, falls back to the socket's peer.
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  options: ClientIpOptions,
): string {
  const peer = (socketAddress === undefined ? undefined : normalizeIp(socketAddress)) ?? UNKNOWN_ADDRESS;
  if (!options.trustProxy || forwardedFor === undefined || forwardedFor === '') return peer;

  const entries = forwardedFor.split(',');
  if (entries.length < options.trustedProxyDepth) return peer;
  const candidate = entries[entries.length - options.trustedProxyDepth]!.trim();
  return normalizeIp(candidate) ?? peer;
}

/** Stored when a request has no usable address, such as a closed socket. */
export const UNKNOWN_ADDRESS = '0.0.0.0';
