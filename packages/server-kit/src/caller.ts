// Who a call comes from, for resources a service keeps between calls (stored runs, probe
// sessions): only their owner may use or delete them. Without authentication the owner is the
// peer's host — not its port, which changes with every connection of the same client.

/** The owner of what `peer` (grpc-js `getPeer()`: `host:port`, IPv6 hosts bracketed or not) stores. */
export function ownerOfPeer(peer: string): string {
  const colon = peer.lastIndexOf(':');
  // A peer without a numeric port (a unix socket path, "unknown") is its own owner.
  return colon > 0 && /^\d+$/.test(peer.slice(colon + 1)) ? peer.slice(0, colon) : peer;
}
