"""Calls to webhook endpoints, made safe: only public addresses (no SSRF into the store's own
network), checked after DNS resolution and pinned for the connection (a name that resolves
to a public address when checked and a private one when connecting is refused: the socket
goes to the address that was checked), short timeouts, no redirects, bounded reading.

`WEBHOOK_ALLOW_LOOPBACK` (on under DEBUG, and in tests) lets http and 127.0.0.1/::1 through,
nothing else private.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings


class UnsafeDestination(ValueError):
    """The URL is not one the store calls: its message says why."""


class CallFailed(RuntimeError):
    """No HTTP answer: DNS, connection, TLS or timeout (worth another try)."""


class Unresolvable(CallFailed):
    """The host name does not resolve (now)."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes  # at most WEBHOOK_RESPONSE_MAX_BYTES
    duration_ms: int


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global or (loopback and address.is_loopback)


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL the store may call, or UnsafeDestination."""
    loopback = settings.WEBHOOK_ALLOW_LOOPBACK
    parts = urlsplit(url)
    if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
        raise UnsafeDestination("Webhook URLs must use https.")
    if not parts.hostname:
        raise UnsafeDestination("The URL has no host.")
    if parts.username or parts.password:
        raise UnsafeDestination("The URL must not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeDestination("The URL's port is not valid.") from exc
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be public (or
    loopback when allowed); the first is used."""
    loopback = settings.WEBHOOK_ALLOW_LOOPBACK
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"The host {host!r} does not resolve.") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    refused = [str(a) for a in addresses if not _allowed(a, loopback)]
    if refused or not addresses:
        raise UnsafeDestination(
            f"The host {host!r} resolves to an address the store does not call "
            f"(private, loopback, link-local or reserved): {', '.join(refused)}."
        )
    return str(addresses[0])


def check_destination(url: str) -> None:
    """Refuse a URL the store would not call (registration time; delivery checks again)."""
    _, host, port = check_url(url)
    try:
        resolve(host, port)
    except Unresolvable as exc:
        raise UnsafeDestination(str(exc)) from exc


class Caller:
    """Calls of one delivery round: each destination is resolved, checked and pinned once,
    and its connection kept alive for the round (a connection opened again goes to the same
    checked address). Close it when the round ends."""

    def __init__(self) -> None:
        self.pools: dict[tuple[str, str, int], urllib3.HTTPConnectionPool] = {}

    def _pool(self, scheme: str, host: str, port: int) -> urllib3.HTTPConnectionPool:
        key = (scheme, host, port)
        if key not in self.pools:
            address = resolve(host, port)  # checked now, at connect time: we connect here
            if scheme == "https":
                self.pools[key] = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    maxsize=1,
                    server_hostname=host,
                    assert_hostname=host,
                    cert_reqs="CERT_REQUIRED",
                )
            else:
                self.pools[key] = urllib3.HTTPConnectionPool(address, port, maxsize=1)
        return self.pools[key]

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POST `body` to `url` from a checked, pinned address. Raises UnsafeDestination or
        CallFailed; any HTTP answer (redirects included, not followed) is returned."""
        scheme, host, port = check_url(url)
        pool = self._pool(scheme, host, port)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = urllib3.Timeout(
            connect=settings.WEBHOOK_TIMEOUT_SECONDS, read=settings.WEBHOOK_TIMEOUT_SECONDS
        )
        default_port = 443 if scheme == "https" else 80
        headers = {"Host": host if port == default_port else f"{host}:{port}", **headers}
        started = time.monotonic()
        try:
            response = pool.urlopen(
                "POST",
                target,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                timeout=timeout,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                content = response.read(settings.WEBHOOK_RESPONSE_MAX_BYTES, decode_content=False)
            finally:
                if response.length_remaining == 0:
                    response.release_conn()  # read to the end: the connection can go on
                else:
                    response.close()  # unread bytes (or an unknown length): never reused
        except urllib3.exceptions.HTTPError as exc:
            raise CallFailed(f"{type(exc).__name__}: {exc}"[:500]) from exc
        return Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=content,
            duration_ms=int((time.monotonic() - started) * 1000),
        )

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
        self.pools.clear()


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """One call on its own (resolved, checked, pinned, closed)."""
    caller = Caller()
    try:
        return caller.post(url, body, headers)
    finally:
        caller.close()
