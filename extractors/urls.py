"""URL canonicalisation and feed-link discovery (pure: text in, text out).

Why not courlan's ``normalize_url``/``clean_url`` (installed with trafilatura)?
Checked against courlan 1.4.0, they differ from what an entry key needs:

- they *sort* query parameters (we keep the publisher's order),
- they keep fragments unless ``strict=True``, and ``strict`` drops every
  parameter outside a small allow-list (``?id=``, ``?p=`` and friends survive,
  ``?article=123`` does not),
- their tracker regex is broad: it also drops ``source``, ``keyword``,
  ``session``, ``uid``, ``ref*`` (``?reference=``) and anything starting with
  ``ga`` (``?gallery=``), which can change which page a URL points at,
- they turn punycode hosts into Unicode and leave ``/a/../b`` unresolved.

So this module does the job on top of ``urllib.parse`` with an explicit list of
tracking parameters, and ``idna`` (a trafilatura dependency) for IDN hosts.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from urllib.parse import SplitResult, quote, unquote_plus, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

logger = logging.getLogger(__name__)

__all__ = ["canonicalize_url", "discover_feed_links", "is_fetchable_scheme"]

FETCHABLE_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Exact parameter names (compared lower-cased) that only say how a visitor
# arrived. Sources: ClearURLs "globalRules", Firefox query stripping list.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid",
        "yclid", "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid",
        "ref_src", "ref_url", "_hsenc", "_hsmi", "__hssc", "__hstc", "__hsfp",
        "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_conv",
        "vero_id", "wickedid", "_openstat", "rb_clickid", "s_cid", "spm",
        "cmpid", "ncid", "ocid", "sr_share", "at_medium", "at_campaign",
        "guce_referrer", "guce_referrer_sig", "smid", "_gl",
    }
)
# Prefixes (lower-cased): whole families of analytics parameters.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_", "_ga", "itm_", "stm_", "hmb_", "mkt_")

_STRIP_INSIDE = re.compile(r"[\t\n\r]")  # WHATWG URL parsing drops these anywhere
# Characters left as they are when re-quoting; everything else (spaces,
# non-ASCII, quotes) is percent-encoded, and existing %XX escapes are kept.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")

FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)


def is_fetchable_scheme(url: str) -> bool:
    """Return True when ``url`` is an absolute http or https URL (the only ones we fetch)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in FETCHABLE_SCHEMES and bool(parts.hostname)


def is_tracking_param(name: str) -> bool:
    """Return True for query parameter names that only carry attribution."""
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return one stable spelling of ``url`` for keys and de-duplication.

    Resolves ``url`` against ``base`` (when given), lower-cases scheme and host,
    encodes IDN hosts as punycode, drops the default port, removes dot segments
    and the fragment, removes tracking parameters (``utm_*``, ``fbclid``, ...)
    while keeping the remaining parameters in their original order, and
    percent-encodes spaces and non-ASCII characters.

    URLs with schemes other than http(s) (``mailto:``, ``tag:``...) come back
    stripped, with the scheme lower-cased, otherwise unchanged.

    Raises:
        ValueError: ``url`` is empty, is not absolute after resolution, or has
            an invalid host or port.
    """
    raw = _STRIP_INSIDE.sub("", url.strip())
    if not raw:
        raise ValueError("empty URL")
    if base:
        raw = urljoin(_STRIP_INSIDE.sub("", base.strip()), raw)
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if not scheme:
        raise ValueError(f"not an absolute URL: {url!r}")
    if scheme not in FETCHABLE_SCHEMES:
        return scheme + raw[len(parts.scheme) :]
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")

    netloc = _canonical_netloc(scheme, parts)
    path = _normalise_escapes(quote(_remove_dot_segments(parts.path), safe=_PATH_SAFE)) or "/"
    query = "&".join(_kept_query_pairs(parts.query))
    return urlunsplit((scheme, netloc, path, query, ""))


def _canonical_netloc(scheme: str, parts: SplitResult) -> str:
    host = _ascii_host(parts.hostname or "")
    try:
        port = parts.port  # raises ValueError for non-numeric or out-of-range ports
    except ValueError as exc:
        raise ValueError(f"invalid port in URL: {parts.geturl()!r}") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return f"{userinfo}@{host}" if userinfo else host


def _ascii_host(host: str) -> str:
    """Lower-case the host and spell IDN labels as punycode (what goes on the wire)."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        import idna  # installed with trafilatura/httpx; IDNA 2008 with UTS 46 mapping

        return str(idna.encode(host, uts46=True).decode("ascii"))
    except Exception:  # noqa: BLE001 - idna raises several types; fall back to the stdlib codec
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"invalid internationalised host: {host!r}") from exc


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 section 5.2.4, which urljoin already implements for a rooted path.
    if "." not in path:
        return path
    return urlsplit(urljoin("http://h/", path if path.startswith("/") else "/" + path)).path


def _normalise_escapes(text: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda m: m.group(0).upper(), text)


def _kept_query_pairs(query: str) -> Iterable[str]:
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote_plus(pair.split("=", 1)[0])
        if is_tracking_param(name):
            continue
        yield _normalise_escapes(quote(pair, safe=_QUERY_SAFE))


def discover_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Return the feed URLs a page advertises, in page order, without duplicates.

    Reads ``<link rel="alternate" type="application/rss+xml|atom+xml|...">``
    elements and canonicalises their ``href`` against ``base_url`` (or the
    page's ``<base href>``). Links that are not http(s) are skipped. Returns an
    empty list when there are none; never raises for malformed HTML.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages are read as HTML on purpose
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)  # a bare URL is just no links
        soup = BeautifulSoup(html, "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, str(base_tag["href"])) if base_tag else base_url
    found: list[str] = []
    for link in soup.find_all("link", href=True):
        rel: str | list[str] = link.get("rel") or []
        rels = {r.lower() for r in (rel if isinstance(rel, list) else str(rel).split())}
        link_type = str(link.get("type", "")).split(";")[0].strip().lower()
        if "alternate" not in rels or link_type not in FEED_LINK_TYPES:
            continue
        try:
            feed_url = canonicalize_url(str(link["href"]), base)
        except ValueError:
            logger.debug("skipping unusable feed link %r", link["href"], extra={"stage": "discover"})
            continue
        if is_fetchable_scheme(feed_url) and feed_url not in found:
            found.append(feed_url)
    return found
