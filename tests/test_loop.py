"""quire watch and quire serve: one line per build, a live preview that shows errors."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import pytest

from conftest import make_project

DOC = "---\ntitle: Utkast\nlang: nb\n---\n\nFørste versjon av teksten.\n"


class Running:
    """A quire process whose output lines can be awaited, killed at the end."""

    def __init__(self, *args):
        self.process = subprocess.Popen([sys.executable, "-m", "quire", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r}; saw {seen}")

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "p", {"content/a.md": DOC})


def test_watch_rebuilds_on_change_and_reports_errors(project):
    run = Running("watch", project, "--format", "epub")
    try:
        assert re.search(r"built: utkast\.epub in \d+\.\d\d s", run.wait_for("built"))
        time.sleep(0.5)
        (project / "content" / "a.md").write_text(DOC.replace("Første", "Andre"))
        assert "utkast.epub" in run.wait_for(r"rebuilt after a\.md")
        (project / "content" / "a.md").write_text("---\ntitle: [\n---\n")
        assert "content/a.md:2: invalid YAML front matter" in run.wait_for("error:")
    finally:
        run.stop()
    assert (project / "dist" / "utkast.epub").exists()


def chromium_dom(url: str) -> str:
    chromium = shutil.which("chromium")
    if not chromium:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium not installed")
    with tempfile.TemporaryDirectory(prefix="chr") as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=2000",
             "--dump-dom", url], capture_output=True, text=True, timeout=120)
    return done.stdout


def test_serve_previews_reloads_and_shows_errors(project):
    run = Running("serve", project, "--port", "0")
    try:
        port = re.search(r"127\.0\.0\.1:(\d+)", run.wait_for("serving")).group(1)
        run.wait_for("built")
        base = f"http://127.0.0.1:{port}"
        page = chromium_dom(f"{base}/text/a.xhtml")
        assert "Første versjon av teksten." in page and "/__quire/reload.js" in page
        version = urllib.request.urlopen(f"{base}/__quire/version").read()
        (project / "content" / "a.md").write_text(DOC.replace("Første", "Andre"))
        run.wait_for("rebuilt")
        assert urllib.request.urlopen(f"{base}/__quire/version").read() != version
        assert "Andre versjon av teksten." in chromium_dom(f"{base}/text/a.xhtml")
        (project / "content" / "a.md").write_text("---\ntitle: [\n---\n")
        run.wait_for("error:")
        shown = chromium_dom(f"{base}/")
        assert "the build failed" in shown and "content/a.md:2: invalid YAML" in shown
    finally:
        run.stop()
    # The preview never touches the real outputs.
    assert not (project / "dist" / "utkast.epub").exists()


def test_progress_on_a_terminal_only(project):
    piped = subprocess.run([sys.executable, "-m", "quire", "build", str(project), "--format",
                            "epub"], capture_output=True, text=True)
    assert piped.returncode == 0 and "\033" not in piped.stderr and "..." not in piped.stderr
    (project / "content" / "a.md").write_text(DOC + "\nMer.\n")
    if not shutil.which("script"):
        pytest.skip("util-linux 'script' is needed to give quire a terminal")
    command = f"{sys.executable} -m quire build {project} --format epub"
    local = {k: v for k, v in os.environ.items() if k != "CI"}
    on_tty = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                            text=True, env=local)
    assert on_tty.returncode == 0
    assert "\033[Kreading 1 documents..." in on_tty.stdout
    (project / "content" / "a.md").write_text(DOC + "\nEnda mer.\n")
    in_ci = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                           text=True, env={**local, "CI": "true"})
    assert in_ci.returncode == 0 and "\033[K" not in in_ci.stdout


def test_preview_server_answers_only_localhost_and_bounds_connections(monkeypatch):
    """DNS rebinding gets 403; every answer carries a restrictive CSP; idle connections are
    dropped; connections beyond the cap are closed at once."""
    import http.client
    import socket

    from quire import preview

    monkeypatch.setattr(preview, "IDLE_SECONDS", 1)
    monkeypatch.setattr(preview, "MAX_CONNECTIONS", 2)
    server = preview.serve(preview.Preview(), 0)
    port = server.server_port
    try:
        def get(host):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/", headers={"Host": host})
            answer = conn.getresponse()
            return answer.status, answer.getheader("Content-Security-Policy")
        assert get("rebound.example.com")[0] == 403
        assert get(f"localhost:{port + 1}")[0] == 403
        status, policy = get(f"127.0.0.1:{port}")
        assert status == 503 and "script-src 'self'" in policy and "object-src 'none'" in policy
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", port))
        extra.settimeout(3)
        assert extra.recv(1) == b""                      # over the cap: closed at once
        idle[0].settimeout(5)
        started = time.monotonic()
        assert idle[0].recv(1) == b"" and time.monotonic() - started < 4   # idle: dropped
        for sock in [*idle, extra]:
            sock.close()
    finally:
        server.shutdown()
