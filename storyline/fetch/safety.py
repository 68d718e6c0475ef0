"""What may be fetched: HTTP(S) only, and no private addresses unless the config allows them.

A URL from a feed or a user's list is untrusted: fetching ``http://169.254.169.254/`` or
``http://localhost:8080/admin`` on their behalf is server-side request forgery (SSRF), so the
host is resolved and every address it resolves to is checked, at each redirect hop.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from storyline import errors
from storyline.errors import InputError

SCHEMES = frozenset({"http", "https"})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public(address: Address) -> bool:
    """Return True when an address is a globally routable unicast one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[Address]:
    """Return every address a host name resolves to (or the literal address it is).

    Raises:
        InputError: S112 when the name does not resolve.
    """
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(errors.FETCH_FAILED, host, f"host does not resolve ({exc})") from exc
    found: list[Address] = []
    for info in infos:
        # the scope of a link-local IPv6 address ("%eth0") is not part of the address
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def check_url(url: str, *, allow_private: bool) -> str:
    """Return the URL's host when it may be fetched.

    Args:
        url: an absolute URL.
        allow_private: let loopback and private-range addresses through (tests, intranets).

    Raises:
        InputError: S113 for a non-HTTP(S) scheme, a missing host or a private address;
            S112 when the host does not resolve.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(errors.FETCH_REFUSED, url, f"malformed URL ({exc})") from exc
    if parts.scheme.lower() not in SCHEMES:
        raise InputError(
            errors.FETCH_REFUSED, url, f"scheme {parts.scheme or '(none)'!r} is not http(s)"
        )
    host = parts.hostname
    if not host:
        raise InputError(errors.FETCH_REFUSED, url, "URL has no host")
    if allow_private:
        return host
    default_port = 443 if parts.scheme.lower() == "https" else 80
    try:
        addresses = resolve(host, port or default_port)
    except InputError as exc:
        raise InputError(exc.code, url, exc.reason) from exc
    for address in addresses:
        if not is_public(address):
            raise InputError(
                errors.FETCH_REFUSED,
                url,
                f"{host} resolves to a non-public address {address} "
                "(set fetch.allow_private = true to allow)",
            )
    return host


class RefusedAddress(Exception):  # noqa: N818 - named for what happened, like ConnectError
    """A connection was about to be made to a non-public address."""


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses that pass the check, resolved at connect time.

    ``check_url`` resolves the host before a request; the name could resolve elsewhere a moment
    later (DNS rebinding), so the socket itself goes only to an address checked here.
    """

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,  # noqa: ANN401 - httpcore's private SOCKET_OPTION type
    ) -> httpcore.NetworkStream:
        """Open a TCP connection to a vetted address of ``host``."""
        if self.allow_private:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses = resolve(host, port)
        except InputError as exc:
            raise httpcore.ConnectError(exc.reason) from exc
        for address in addresses:
            if not is_public(address):
                raise RefusedAddress(f"{host} resolves to a non-public address {address}")
        last: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


def guarded_transport(*, allow_private: bool, limits: httpx.Limits) -> httpx.HTTPTransport:
    """Return an httpx transport whose connections go through ``GuardedBackend``."""
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    # httpx has no parameter for httpcore's network backend: give it a pool that has one
    transport._pool = httpcore.ConnectionPool(  # noqa: SLF001
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(allow_private=allow_private),
    )
    return transport
