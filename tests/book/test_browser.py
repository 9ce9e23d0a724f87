"""The published book in a real browser: headless Chromium over the DevTools protocol.

``book/_build/html`` is served on localhost; the index, one notebook page per paper and the
claims dashboard are opened in headless Chromium (Debian's ``chromium``; install it with
``scripts/ensure-chromium.sh``). Each page must render (a title and body text), every image
must load in the browser (``naturalWidth > 0``) and be a non-empty file that Pillow decodes,
every internal link must point at an existing file, and the dashboard must have claim rows
for all three papers. Screenshots go to ``artifacts/screenshots/``.

If Chromium is missing or the book has not been built, the test skips with the command that
makes it; under CI (``CI=true``, set by ``.ci/run``) it fails instead. The link and image checker is also tested on a small fake HTML tree.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from PIL import Image

from deepfake_lib.claims import ledger as L
from deepfake_lib.core.paths import book_dir, repo_root
from support import need

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
SCREENSHOTS = repo_root() / "artifacts" / "screenshots"

# What the browser reports about a page once it and its images have loaded.
PAGE_PROBE = """(async () => {
  if (document.readyState !== 'complete') await new Promise(r => addEventListener('load', r));
  await Promise.all(Array.from(document.images).map(i => i.complete ? null :
      new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  const maths = Array.from(document.querySelectorAll('.math'));
  const rows = {}, findings = {};
  for (const p of ['A', 'B', 'C']) {
    rows[p] = document.querySelectorAll('tr.claim-row[data-paper="' + p + '"]').length;
    findings[p] = document.querySelectorAll('tr.finding-row[data-paper="' + p + '"]').length;
  }
  const refresh = document.querySelector('meta[http-equiv="refresh" i]');
  return {
    location: location.href,
    refresh: refresh ? refresh.getAttribute('content') : null,
    title: document.title,
    text: document.body ? document.body.innerText.length : 0,
    images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, width: i.naturalWidth})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href')),
    rows: rows,
    findings: findings,
    injected: document.querySelectorAll('.tag_injected-parameters').length,
    hiddenInputs: document.querySelectorAll('.tag_hide-input').length,
    math: maths.length,
    rawMath: maths.filter(m => !m.querySelector('mjx-container')).length,
    externalScripts: Array.from(document.scripts).map(s => s.src).filter(s => /^https?:/.test(s) && !s.startsWith(location.origin)),
  };
})()"""


# ----------------------------------------------------------------------------- serving
@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` on 127.0.0.1 at a free port (a thread); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a tab closed mid-response (favicon and the like): not a page problem


# ----------------------------------------------------------------------------- link and image checks
class StaticScan(HTMLParser):
    """Image sources, link targets and claim rows of an HTML page, read without a browser."""

    def __init__(self):
        super().__init__()
        self.images, self.links, self.rows = [], [], {"A": 0, "B": 0, "C": 0}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])
        elif tag == "tr" and "claim-row" in (a.get("class") or "").split() and a.get("data-paper") in self.rows:
            self.rows[a["data-paper"]] += 1


def local_file(root: Path, base: str, page_url: str, ref: str) -> Path | None:
    """The file under ``root`` that ``ref`` (relative to ``page_url``) points at, or None for
    anchors, external URLs, mailto: and data: URIs. A folder stands for its index.html."""
    if not ref or ref.startswith(("#", "mailto:", "javascript:", "data:")):
        return None
    url = urljoin(page_url, ref)
    if not url.startswith(base):
        return None
    path = root / unquote(urlsplit(url).path[len(urlsplit(base).path):])
    return path / "index.html" if path.is_dir() or url.endswith("/") else path


def image_problem(data: bytes, name: str) -> str | None:
    """Why ``data`` is not a usable image (empty, or not decodable), or None."""
    if not data:
        return f"{name}: empty image"
    if name.lower().endswith(".svg") or data.lstrip()[:5] in (b"<svg ", b"<?xml"):
        return None if b"<svg" in data[:2048] else f"{name}: not an SVG"
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Exception as exc:  # Pillow raises many kinds
        return f"{name}: does not decode ({exc.__class__.__name__})"
    return None


def check_refs(root: Path, base: str, page_url: str, images, links) -> list[str]:
    """Problems with a page's images (missing, empty, undecodable) and internal links (missing
    page, or a ``page.html#id`` whose page has no element with that id)."""
    problems = []
    for src in images:
        if src.startswith("data:"):
            header, _, payload = src.partition(",")
            data = base64.b64decode(payload) if ";base64" in header else payload.encode()
            if (p := image_problem(data, src[:40])):
                problems.append(p)
            continue
        path = local_file(root, base, page_url, src)
        if path is None:
            problems.append(f"{src}: image not served by the book")
        elif not path.is_file():
            problems.append(f"{src}: image file {path} is missing")
        elif (p := image_problem(path.read_bytes(), str(path.relative_to(root)))):
            problems.append(p)
    for href in links:
        path = local_file(root, base, page_url, href)
        if path is not None and not path.is_file():
            problems.append(f"{href}: broken link (no {path.relative_to(root)})")
        elif path is not None and (frag := unquote(urlsplit(href).fragment)) and path.suffix == ".html":
            if not re.search(rf"""\b(id|name)=["']{re.escape(frag)}["']""", path.read_text(errors="replace")):
                problems.append(f"{href}: broken link (no #{frag} in {path.relative_to(root)})")
    return problems


# ----------------------------------------------------------------------------- Chromium over DevTools
def chromium_binary() -> str:
    """Path of Chromium; a missing browser skips the test (fails it under CI)."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    need(False, "headless Chromium (/usr/bin/chromium)",
         "run scripts/ensure-chromium.sh (apt-get install chromium), as `make test` does")
    return ""


class Browser:
    """One headless Chromium with a fresh profile, driven over its DevTools websocket."""

    def __init__(self, binary: str, profile: Path, timeout: float = 60.0):
        self.timeout = timeout
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "--window-size=1280,1600", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file, t0 = profile / "DevToolsActivePort", time.time()
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.time() - t0 > timeout:
                err = self.proc.stderr.read().decode(errors="replace")[-800:] if self.proc.poll() is not None else ""
                self.close()
                pytest.fail(f"Chromium did not start its DevTools endpoint within {timeout:.0f} s: {err}")
            time.sleep(0.1)
        self.port = int(port_file.read_text().split()[0])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def open(self, url: str, screenshot: Path) -> dict:
        """Load ``url`` in a new tab, wait for load and images, run :data:`PAGE_PROBE`, save a
        full-page PNG screenshot, close the tab; returns the probe's result."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            target = json.load(resp)
        try:
            return asyncio.run(asyncio.wait_for(self._drive(target["webSocketDebuggerUrl"], url, screenshot),
                                                self.timeout))
        finally:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/close/{target['id']}", timeout=10).close()

    @staticmethod
    async def _drive(ws_url: str, url: str, screenshot: Path) -> dict:
        from tornado.websocket import websocket_connect

        ws = await websocket_connect(ws_url, max_message_size=512 * 2 ** 20)
        counter, events = iter(range(1, 10 ** 6)), []

        async def call(method, **params):
            mid = next(counter)
            ws.write_message(json.dumps({"id": mid, "method": method, "params": params}))
            while True:
                msg = json.loads(await ws.read_message())
                if msg.get("id") == mid:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return msg["result"]
                events.append(msg.get("method"))

        try:
            await call("Page.enable")
            await call("Page.navigate", url=url)
            while "Page.loadEventFired" not in events:
                events.append(json.loads(await ws.read_message()).get("method"))
            for _ in range(100):  # a redirect (Jupyter Book's index.html) replaces the document
                try:
                    probe = await call("Runtime.evaluate", expression=PAGE_PROBE, returnByValue=True,
                                       awaitPromise=True)
                except RuntimeError as exc:  # the execution context went away mid-redirect
                    probe = {"exceptionDetails": str(exc)}
                value = probe.get("result", {}).get("value")
                if "exceptionDetails" not in probe and value and not value["refresh"]:
                    break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"page probe failed on {url}: {probe}")
            metrics = await call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = await call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                              clip={"x": 0, "y": 0, "width": min(size["width"], 1280),
                                    "height": min(size["height"], 6000), "scale": 1})
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            return value
        finally:
            ws.close()


def inspect_pages(root: Path, pages: dict[str, str], shots: Path, profile: Path) -> tuple[dict, list[str]]:
    """Serve ``root``, open each ``{label: relative path}`` in Chromium, check it; returns the
    probes and the list of problems."""
    probes, problems = {}, []
    browser = Browser(chromium_binary(), profile)
    try:
        with serve(root) as base:
            for label, rel in pages.items():
                url = base + rel
                probe = browser.open(url, shots / f"{label}.png")
                probes[label] = probe
                url = probe["location"]  # after a redirect, links are relative to the final page
                if not probe["title"] or probe["text"] < 20:
                    problems.append(f"{rel}: page did not render (title {probe['title']!r}, {probe['text']} chars)")
                for img in probe["images"]:
                    if img["width"] <= 0:
                        problems.append(f"{rel}: image {img['src']} did not load (naturalWidth 0)")
                problems += [f"{rel}: {p}" for p in
                             check_refs(root, base, url, [i["src"] for i in probe["images"]], probe["links"])]
                if probe.get("rawMath"):
                    problems.append(f"{rel}: {probe['rawMath']} of {probe['math']} formulas not typeset by MathJax")
                for src in probe.get("externalScripts", []):
                    problems.append(f"{rel}: script from outside the book ({src}) fails offline")
                if not (shots / f"{label}.png").stat().st_size:
                    problems.append(f"{rel}: empty screenshot")
    finally:
        browser.close()
    return probes, problems


# ----------------------------------------------------------------------------- fake tree (unit tests)
def _png(path: Path, size=(4, 3)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path)


@pytest.fixture
def fake_book(tmp_path):
    root = tmp_path / "html"
    _png(root / "_images" / "ok.png")
    (root / "_images" / "empty.png").write_bytes(b"")
    (root / "_images" / "corrupt.png").write_bytes(b"\x89PNG not really")
    (root / "_images" / "fig.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>')
    (root / "notebooks").mkdir()
    (root / "start.html").write_text('<meta http-equiv="Refresh" content="0; url=index.html" />')
    (root / "index.html").write_text(
        "<html><head><title>Book</title></head><body><p>The index page of a small book.</p>"
        '<img src="_images/ok.png"><img src="_images/fig.svg"><span class="math"><mjx-container>x</mjx-container></span>'
        '<a href="notebooks/claims_dashboard.html#paper-a">dashboard</a><a href="#top">top</a>'
        '<a href="https://example.org/x">out</a><a href="mailto:a@b.c">mail</a></body></html>')
    rows = "".join(f'<tr class="claim-row" data-paper="{p}"><td>{p}</td></tr>' for p in "ABCA")
    (root / "notebooks" / "claims_dashboard.html").write_text(
        "<html><head><title>Claims</title></head><body><p>Claims dashboard of the small book.</p>"
        f'<table class="claims-table" id="paper-a">{rows}</table><img src="../_images/ok.png">'
        '<a href="A3_training.html">A3</a><a href="../index.html">home</a></body></html>')
    (root / "notebooks" / "broken.html").write_text(
        "<html><head><title>Broken</title></head><body><p>A page with broken references.</p>"
        '<img src="../_images/empty.png"><img src="../_images/corrupt.png"><img src="../_images/gone.png">'
        '<a href="missing.html">x</a><a href="../index.html">home</a><a href="../index.html#nowhere">gone</a>'
        '<span class="math">\\(x^2\\)</span><script src="https://cdn.invalid/mathjax.js"></script></body></html>')
    return root


def _static_problems(root: Path, rel: str) -> tuple[StaticScan, list[str]]:
    scan = StaticScan()
    scan.feed((root / rel).read_text())
    base = "http://127.0.0.1:1/"
    return scan, check_refs(root, base, base + rel, scan.images, scan.links)


def test_checker_accepts_a_good_tree(fake_book):
    scan, problems = _static_problems(fake_book, "index.html")
    assert problems == [] and len(scan.images) == 2 and len(scan.links) == 4


def test_checker_finds_broken_links_and_images(fake_book):
    scan, problems = _static_problems(fake_book, "notebooks/broken.html")
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert "empty.png: empty image" in text and "corrupt.png: does not decode" in text
    assert "gone.png is missing" in text and "missing.html: broken link" in text
    assert "#nowhere: broken link" in text
    scan, problems = _static_problems(fake_book, "notebooks/claims_dashboard.html")
    assert problems == ["A3_training.html: broken link (no notebooks/A3_training.html)"]
    assert scan.rows == {"A": 2, "B": 1, "C": 1}


def test_checker_reads_data_uris():
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, format="PNG")
    good = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    bad = "data:image/png;base64," + base64.b64encode(b"nope").decode()
    problems = check_refs(Path("/nonexistent"), "http://h/", "http://h/x.html", [good, bad], [])
    assert len(problems) == 1 and "does not decode" in problems[0]


def test_server_serves_the_tree(fake_book):
    with serve(fake_book) as base:
        with urllib.request.urlopen(base + "_images/ok.png", timeout=10) as resp:
            assert image_problem(resp.read(), "ok.png") is None


@pytest.mark.browser
def test_browser_driver_on_the_fake_tree(fake_book, tmp_path):
    probes, problems = inspect_pages(
        fake_book, {"start": "start.html", "index": "index.html", "dashboard": "notebooks/claims_dashboard.html",
                    "broken": "notebooks/broken.html"}, tmp_path / "shots", tmp_path / "profile")
    assert probes["index"]["title"] == "Book"
    assert probes["start"]["location"].endswith("/index.html") and probes["start"]["title"] == "Book"
    assert [i["width"] for i in probes["index"]["images"]] == [4, 4]
    assert probes["dashboard"]["rows"] == {"A": 2, "B": 1, "C": 1}
    text = "\n".join(problems)
    assert "broken.html: image" in text and "naturalWidth 0" in text
    assert "missing.html: broken link" in text and "A3_training.html: broken link" in text
    assert "../index.html#nowhere: broken link (no #nowhere in index.html)" in text
    assert "broken.html: 1 of 1 formulas not typeset" in text and "cdn.invalid/mathjax.js" in text
    assert probes["index"]["math"] == 1 and probes["index"]["rawMath"] == 0
    assert not any(p.startswith(("index.html", "start.html")) for p in problems), text
    assert (tmp_path / "shots" / "index.png").stat().st_size > 0


# ----------------------------------------------------------------------------- the real book
@pytest.mark.browser
@pytest.mark.slow
def test_published_book_in_chromium(tmp_path):
    binary = chromium_binary()  # fails first if the browser is missing
    assert binary
    root = book_dir() / "_build" / "html"
    need((root / "index.html").is_file(), f"the built book ({root / 'index.html'})",
         "run `dfbook run --profile smoke` then `dfbook build` (as `make test` does)")
    pages = {"index": "index.html"}
    for p, led in L.load_all().items():
        page = root / "notebooks" / f"{led.full_notebook}.html"
        if not page.is_file():
            candidates = sorted((root / "notebooks").glob(f"{p}*.html"))
            assert candidates, f"no notebook page of paper {p} in {root / 'notebooks'}"
            page = candidates[0]
        pages[f"paper_{p}_{page.stem}"] = str(page.relative_to(root))
    pages["claims_dashboard"] = "notebooks/claims_dashboard.html"
    pages["equations"] = "notebooks/A1_equations.html"  # the page with most formulas
    missing = [rel for rel in pages.values() if not (root / rel).is_file()]
    assert not missing, f"pages not built: {missing}"
    probes, problems = inspect_pages(root, pages, SCREENSHOTS, tmp_path / "profile")
    assert not problems, "\n".join(problems)
    dash = probes["claims_dashboard"]
    rows = dash["rows"]
    assert all(rows[p] == len(L.load(p).claims) for p in L.PAPERS), rows
    assert all(dash["findings"][p] > 0 for p in L.PAPERS), dash["findings"]  # findings table per paper
    assert dash["injected"] == 0, "papermill's injected parameters cell shows on the dashboard"
    assert dash["hiddenInputs"] > 0, "the dashboard's code cells are not folded (hide-input)"
    assert probes["equations"]["math"] >= 10, probes["equations"]["math"]
    for label in pages:
        assert (SCREENSHOTS / f"{label}.png").stat().st_size > 0
