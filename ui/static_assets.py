"""Static files compressed once and kept: the server never gzips the same file twice.

Without this, every first visit made the server gzip the 4.8 MB plotly.js again (about 0.2 s of CPU
on the event loop): thirty students opening the page together stalled every websocket for seconds.
``CompressedStatic`` sits in front of the whole app. For a GET of a static path (any file under
``STATIC_PREFIXES``, whatever serves it) it asks the app once for the plain file, gzips it in a worker
thread, and from then on answers from memory: the gzip body to browsers that accept it, the plain one
to the rest, ``304 Not Modified`` to a browser that already holds it. Static files do not change while
a production server runs, so nothing is ever recompressed; the kept copies are a few megabytes.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

STATIC_PREFIXES = ("/static/", "/_solara/cdn/", "/app-assets/", "/jupyter/nbextensions/")
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/wasm")
MAX_FILE_BYTES = 32 * 1024 * 1024
GZIP_LEVEL = 6
KEPT_HEADERS = (b"content-type", b"cache-control", b"last-modified")


@dataclass(frozen=True)
class Kept:
    """One static file as served: its headers, plain body, gzip body (None if not worth it), ETag."""

    headers: list[tuple[bytes, bytes]]
    plain: bytes
    packed: bytes | None
    etag: bytes


class CompressedStatic:
    """ASGI middleware: static files served compressed once and cached in memory (see the module)."""

    def __init__(self, app):
        self.app = app
        self.kept: dict[str, Kept] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") \
                or not scope["path"].startswith(STATIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        key = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        kept = self.kept.get(key)
        if kept is None:
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:                   # thirty first visits together: one compression
                kept = self.kept.get(key)
                if kept is None:
                    kept = await self._fetch(scope, receive, send)
                    if kept is None:           # not a cacheable answer: already sent as it came
                        return
                    self.kept[key] = kept
        await _answer(kept, scope, send)

    async def _fetch(self, scope, receive, send) -> Kept | None:
        """Ask the app for the plain file; keep it if it is a whole 200 answer, else pass it on."""
        plain_scope = {**scope, "method": "GET",
                       "headers": [(k, v) for k, v in scope["headers"]
                                   if k not in (b"accept-encoding", b"if-none-match", b"if-modified-since",
                                                b"range")]}
        start, chunks = {}, []

        async def collect(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(plain_scope, receive, collect)
        body = b"".join(chunks)
        headers = Headers(raw=start.get("headers", []))
        if start.get("status") != 200 or "content-encoding" in headers or len(body) > MAX_FILE_BYTES:
            await send({**start, "type": "http.response.start"})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return None
        packed = None
        if headers.get("content-type", "").startswith(COMPRESSIBLE) and len(body) > 1000:
            packed = await run_in_threadpool(gzip.compress, body, GZIP_LEVEL, mtime=0)
        kept_headers = [(k, v) for k, v in start["headers"] if k.lower() in KEPT_HEADERS]
        etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
        return Kept(kept_headers, body, packed, etag)


async def _answer(kept: Kept, scope, send) -> None:
    request = Headers(scope=scope)
    if kept.etag.decode() in request.get("if-none-match", ""):
        await send({"type": "http.response.start", "status": 304,
                    "headers": [(b"etag", kept.etag), (b"vary", b"Accept-Encoding")]})
        await send({"type": "http.response.body", "body": b""})
        return
    use_gzip = kept.packed is not None and "gzip" in request.get("accept-encoding", "")
    body = kept.packed if use_gzip else kept.plain
    headers = [*kept.headers, (b"etag", kept.etag), (b"vary", b"Accept-Encoding"),
               (b"content-length", str(len(body)).encode())]
    if use_gzip:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
