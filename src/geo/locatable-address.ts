import ipaddr from 'ipaddr.js';

/**
 * Returns the canonical form of an address that can have a location, or
 * undefined for anything else.
 *
 * Only global unicast addresses qualify, as ipaddr.js classifies them: it
 * names every other range (loopback, RFC 1918 private, link-local, CGNAT,
 * unique-local IPv6, documentation and benchmarking, multicast, 6to4 and
 * Teredo tunnels, NAT64, and the other IANA special-purpose blocks).
 * IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is checked as the IPv4 address it
 * carries. The parse is strict: four decimal parts for IPv4, no zone id for
 * IPv6, no trailing characters, because MaxMind readers accept
 * `81.2.69.142abc` and return the record of `81.2.69.142`.
 */
export function locatableAddress(ip: string): string | undefined {
  const parsed = parseStrict(ip);
  if (parsed === undefined) return undefined;

  const address = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
  return address.range() === 'unicast' ? address.toString() : undefined;
}

function parseStrict(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
  if (ip.includes(':') && !ip.includes('%') && ipaddr.IPv6.isValid(ip)) {
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) must be four decimal parts too.
    const tail = ip.slice(ip.lastIndexOf(':') + 1);
    if (tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    return ipaddr.IPv6.parse(ip);
  }
  return undefined;
}
