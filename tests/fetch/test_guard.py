"""The SSRF guard: schemes, literal addresses, resolved addresses, redirects and the allow-list."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from pipeline.fetch.guard import peer_refusal, resolved_refusal, system_resolver


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://10.0.0.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one decimal number
        ("http://localhost/", "local host name"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("ftp://example.org/file", "scheme"),
        ("http://user:secret@example.org/", "credentials"),
        ("http://[not-an-address/", "malformed"),
        ("http://xn--/", "malformed"),  # an IDNA label that cannot be decoded
        ("https://exa\x00mple.org/", "malformed"),
    ],
)
def test_unsafe_urls_are_refused_without_a_request(web, fetch_page, url, why):
    result = fetch_page(url)

    assert result.reason == "unsafe-url"
    assert why in result.detail
    assert result.retryable is False
    assert web.requests == []


def test_host_resolving_to_a_private_address_is_refused(web, fetch_page):
    web.dns["intranet.example"] = ["10.1.2.3"]

    result = fetch_page("https://intranet.example/")

    assert result.reason == "unsafe-url"
    assert "10.1.2.3" in result.detail
    assert web.lookups == ["intranet.example"]
    assert web.requests == []


def test_one_refused_address_among_public_ones_refuses_the_host(web, fetch_page):
    web.dns["mixed.example"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "127.0.0.1"]

    result = fetch_page("https://mixed.example/")

    assert result.reason == "unsafe-url"
    assert "127.0.0.1" in result.detail
    assert web.requests == []


def test_redirect_to_a_private_address_is_refused(web, fetch_page):
    web.route("news.example/story", httpx.Response(302, headers={"location": "http://192.168.0.10/"}))

    result = fetch_page("https://news.example/story")

    assert result.reason == "unsafe-url"
    assert "192.168.0.10" in result.detail
    assert web.paths() == ["news.example/story"]


def test_redirect_to_a_host_resolving_privately_is_refused(web, fetch_page):
    web.dns["sneaky.example"] = ["172.16.0.5"]
    web.route("news.example/story", httpx.Response(301, headers={"location": "https://sneaky.example/x"}))

    result = fetch_page("https://news.example/story")

    assert result.reason == "unsafe-url"
    assert web.paths() == ["news.example/story"]


def test_allow_list_exempts_hosts_and_networks(web, fetch_page):
    web.dns["news.internal"] = ["10.0.0.7"]
    web.dns["wiki.internal"] = ["10.0.0.8"]
    web.route("news.internal/a", web.html())
    web.route("wiki.internal/b", web.html())
    web.route("127.0.0.1/c", web.html())

    by_name = fetch_page("http://news.internal/a", allowed_hosts=("news.internal",))
    by_network = fetch_page("http://wiki.internal/b", allowed_hosts=("10.0.0.0/24",))
    loopback = fetch_page("http://127.0.0.1/c", allowed_hosts=("127.0.0.1/32",))
    not_listed = fetch_page("http://wiki.internal/b", allowed_hosts=("news.internal",))

    assert by_name.status == by_network.status == loopback.status == 200
    assert not_listed.reason == "unsafe-url"


def test_a_name_that_does_not_resolve_is_a_connection_error(web, fetch_page):
    async def no_such_host(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    web.resolve = no_such_host

    result = fetch_page("https://gone.example/")

    assert result.reason == "fetch-connection-error"
    assert result.retryable is False


def test_resolved_refusal_and_peer_refusal():
    assert resolved_refusal("a.example", ["93.184.215.14"]) is None
    assert "no address" in resolved_refusal("a.example", [])
    assert "link-local" in resolved_refusal("a.example", ["fe80::1%eth0"])
    assert "metadata" in resolved_refusal("a.example", ["169.254.169.254"])
    assert resolved_refusal("a.example", ["10.0.0.1"], ["10.0.0.0/8"]) is None
    assert "loopback" in peer_refusal(("127.0.0.1", 8080))
    assert "loopback" in peer_refusal(("::1", 8080, 0, 0))
    assert peer_refusal(("93.184.215.14", 443)) is None
    assert peer_refusal(None) is None  # unknown peer (mock transport)
    assert peer_refusal("/run/socket") is None


def test_a_resolver_that_hangs_is_cut_off_by_the_connect_timeout(web, fetch_page):
    async def hang(host, port):
        await asyncio.Event().wait()

    web.resolve = hang

    result = fetch_page("https://slow-dns.example/", connect_timeout_seconds=0.05, retries=0)

    assert result.reason == "fetch-timeout"
    assert result.retryable is True


def test_the_system_resolver_answers_from_the_hosts_file():
    addresses = asyncio.run(system_resolver("localhost", 80))

    assert "127.0.0.1" in addresses or "::1" in addresses
