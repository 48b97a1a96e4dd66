"""Take the README's screenshots of the running demo with headless Chromium.

Usage: screenshots.py BASE_URL OUT_DIR [LOGIN PASSWORD]

Logs in through Odoo's JSON-RPC (the session cookie goes to Chromium), then
opens each page of PAGES and saves a PNG.  It talks to Chromium through the
DevTools protocol with `websocket-client`, the package Odoo's own browser
tests use, so nothing else is needed.
"""

import base64
import datetime
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def _preview_later(browser):
    """Set the Run Reminders preview one week ahead, typed as a user would
    (day/month/year: the demo speaks French)."""
    box = browser.call(
        "Runtime.evaluate",
        returnByValue=True,
        expression="""(() => {
            // a button until clicked, then an input (Odoo 19's date field)
            const field = document.querySelector(
                ".modal .o_field_widget[name=date] .o_input");
            const rect = field.getBoundingClientRect();
            return [rect.x + rect.width / 2, rect.y + rect.height / 2];
        })()""",
    )["result"]["value"]
    for kind in ("mousePressed", "mouseReleased"):
        browser.call(
            "Input.dispatchMouseEvent",
            type=kind,
            x=box[0],
            y=box[1],
            button="left",
            clickCount=1,
        )
    time.sleep(1)
    browser.call(
        "Runtime.evaluate",
        expression="""(() => {
            const input = document.querySelector(
                ".modal .o_field_widget[name=date] input");
            input.focus();
            input.select();
        })()""",
    )
    day = datetime.date.today() + datetime.timedelta(days=7)
    browser.call("Input.insertText", text=day.strftime("%d/%m/%Y"))
    for kind in ("keyDown", "keyUp"):
        browser.call(
            "Input.dispatchKeyEvent",
            type=kind,
            key="Enter",
            code="Enter",
            windowsVirtualKeyCode=13,
        )


# (file name, URL path, seconds to wait for the page to settle, what to do
# once the page is there (a function of the browser), or None).  The path
# "{cockpit}" is the follow-up page of the cockpit's first customer.
PAGES = [
    ("cockpit.png", "/odoo/action-account_relance.relance_cockpit_action", 12, None),
    ("cockpit_customer.png", "{cockpit}", 10, None),
    (
        "kpis.png",
        "/odoo/action-account_relance.relance_kpi_snapshot_action",
        10,
        None,
    ),
    ("reminders.png", "/odoo/action-account_relance.relance_reminder_action", 12, None),
    (
        "preview.png",
        "/odoo/action-account_relance.relance_reminder_preview_action",
        8,
        _preview_later,
    ),
    (
        "behaviour.png",
        "/odoo/action-account_relance.relance_partner_behaviour_action",
        8,
        None,
    ),
    ("plan.png", "/odoo/action-account_relance.relance_plan_action/1", 8, None),
    ("disputes.png", "/odoo/action-account_relance.relance_dispute_action", 8, None),
]


def _first_cockpit_id(base_url, session):
    """The id of the cockpit's first row (risk first), through JSON-RPC."""
    request = urllib.request.Request(
        f"{base_url}/web/dataset/call_kw/relance.cockpit/search_read",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "params": {
                    "model": "relance.cockpit",
                    "method": "search_read",
                    "args": [[["amount_overdue", ">", 0]], ["id"]],
                    "kwargs": {"limit": 1},
                },
            }
        ).encode(),
        headers={"Content-Type": "application/json", "Cookie": f"session_id={session}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get("error") or not answer.get("result"):
        sys.exit(f"no cockpit row: {answer.get('error')}")
    return answer["result"][0]["id"]


def _login(base_url, login, password):
    request = urllib.request.Request(
        f"{base_url}/web/session/authenticate",
        data=json.dumps(
            {
                "jsonrpc": "2.0",
                "params": {
                    "db": os.environ.get("RELANCE_DEMO_DB", "relance_demo"),
                    "login": login,
                    "password": password,
                },
            }
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
        if answer.get("error"):
            sys.exit(f"login failed: {answer['error']}")
        for header in response.headers.get_all("Set-Cookie"):
            if header.startswith("session_id="):
                return header.split(";", 1)[0].split("=", 1)[1]
    sys.exit("login failed: no session cookie")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self):
        self.port = _free_port()
        self.profile = tempfile.mkdtemp(prefix="relance-chromium-")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if not chromium:
            sys.exit("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1440,900",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_ws_url(), timeout=60)
        self.counter = 0

    def _page_ws_url(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/json", timeout=2
                ) as response:
                    for target in json.loads(response.read()):
                        if target.get("type") == "page":
                            return target["webSocketDebuggerUrl"]
            except OSError:
                time.sleep(0.3)
        sys.exit("chromium did not start")

    def call(self, method, **params):
        self.counter += 1
        self.ws.send(
            json.dumps({"id": self.counter, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(base_url, out_dir, login="admin", password="admin"):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    session = _login(base_url, login, password)
    browser = Browser()
    try:
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session,
            url=base_url,
        )
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=1440,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        for name, path, settle, script in PAGES:
            if path == "{cockpit}":
                path = (
                    "/odoo/action-account_relance.relance_cockpit_action/"
                    f"{_first_cockpit_id(base_url, session)}"
                )
            browser.call("Page.navigate", url=base_url + path)
            time.sleep(settle)
            if script:
                script(browser)
                time.sleep(settle)
            shot = browser.call("Page.captureScreenshot", format="png")
            (out / name).write_bytes(base64.b64decode(shot["data"]))
            print(f"{out / name}")
    finally:
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    main(*sys.argv[1:])
