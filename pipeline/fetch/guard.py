"""The SSRF guard: which URLs and addresses Newshound may fetch.

Refused unless an allow-list entry in the settings (``fetch.allowed_hosts``) permits them:
non-http(s) schemes, URLs with credentials, and hosts that are or resolve to loopback,
private, link-local (cloud metadata lives at 169.254.169.254), shared, multicast, reserved or
unspecified addresses. ``url_refusal`` checks what can be known without DNS;
``resolved_refusal`` checks every address a host resolves to (one bad address refuses the host);
``peer_refusal`` checks the address a connection was actually made to, which defeats DNS
rebinding (a name that resolved to a public address for our check and to a private one for the
connection).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Names that always mean this machine or the cloud metadata service, whatever DNS says.
_LOCAL_NAMES = frozenset(
    {
        "localhost",
        "localhost.localdomain",
        "ip6-localhost",
        "ip6-loopback",
        "metadata",
        "metadata.google.internal",
        "instance-data",
    }
)
_METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_refusal(address: str | IPAddress, allowed_hosts: Sequence[str] = ()) -> str | None:
    """Why this IP address must not be fetched, or None when it is public or allow-listed."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if _address_allowed(ip, allowed_hosts):
        return None
    if ip in _METADATA_ADDRESSES:
        return "metadata address"
    for label, flag in (
        ("loopback address", ip.is_loopback),
        ("link-local address", ip.is_link_local),
        ("private address", ip.is_private),
        ("multicast address", ip.is_multicast),
        ("unspecified address", ip.is_unspecified),
        ("reserved address", ip.is_reserved),
    ):
        if flag:
            return label
    if not ip.is_global:
        return "non-public address"  # e.g. 100.64.0.0/10 carrier-grade NAT
    return None


def url_refusal(url: str, allowed_hosts: Sequence[str] = ()) -> str | None:
    """Why this URL must not be fetched (judged without DNS), or None when it may be."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # raises on a malformed port
    except ValueError as error:
        return f"malformed URL: {error}"
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return f"scheme {scheme or '(none)'!r} not allowed"
    if not host:
        return "no host"
    if parts.username or parts.password:
        return "credentials in URL"
    host = host.rstrip(".").lower()
    if host_allowed(host, allowed_hosts):
        return None
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return "local host name"
    literal = _literal_address(host)
    if literal is not None:
        return address_refusal(literal, allowed_hosts)
    return None


def host_allowed(host: str, allowed_hosts: Sequence[str]) -> bool:
    """True when the host name or literal address is on the allow-list."""
    host = host.rstrip(".").lower()
    literal = _literal_address(host)
    if literal is not None:
        return _address_allowed(literal, allowed_hosts)
    return any(entry.strip().lower().rstrip(".") == host for entry in allowed_hosts)


def _address_allowed(ip: IPAddress, allowed_hosts: Sequence[str]) -> bool:
    for entry in allowed_hosts:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue  # a host name entry, not a network
    return False


def _literal_address(host: str) -> IPAddress | None:
    """The address a host string denotes literally, including legacy forms such as 2130706433."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # inet_aton accepts decimal, octal and hex forms ("0x7f.1", "017700000001"); so do browsers.
    if all(part and all(c in "0123456789abcdefx" for c in part) for part in host.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver (getaddrinfo) to its addresses."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolved_refusal(host: str, addresses: Sequence[str], allowed_hosts: Sequence[str] = ()) -> str | None:
    """Why a host resolving to ``addresses`` must not be fetched: ANY refused address refuses it."""
    if not addresses:
        return "host resolved to no address"
    for address in addresses:
        try:
            reason = address_refusal(address, allowed_hosts)
        except ValueError:
            return f"resolver returned an invalid address {address!r}"
        if reason is not None:
            return f"{host} resolves to {address} ({reason})"
    return None


def peer_refusal(server_addr: object, allowed_hosts: Sequence[str] = ()) -> str | None:
    """Why the peer of an open connection is refused, from ``get_extra_info("server_addr")``.

    None when it is acceptable or unknown (not an (address, port) pair, e.g. a mock transport).
    """
    if not isinstance(server_addr, tuple) or not server_addr or not isinstance(server_addr[0], str):
        return None
    try:
        reason = address_refusal(server_addr[0], allowed_hosts)
    except ValueError:
        return None  # a Unix socket path or similar: not an IP connection
    return None if reason is None else f"connected to {server_addr[0]} ({reason})"
