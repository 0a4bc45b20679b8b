"""A headless Chromium driven through the Chrome DevTools Protocol, shared by the browser tests (registro.py,
consola.py, …).

Standard library only: the WebSocket client (HTTP upgrade, masked frames) is written here. ``Chromium`` starts the
browser with a throw-away profile and removes it again; ``DevTools`` sends commands and keeps the events it reads
for whoever waits for them; ``problems`` lists what the page reported as going wrong (exceptions, console errors
and warnings, Content-Security-Policy violations). ``officer_main`` is the shape every officer's script shares (its
arguments, the password on stdin, the browser, exit status 2 on a failure); ``sign_in`` and ``wait_live`` are the
steps they all begin with.
"""
import argparse, base64, json, os, shutil, signal, socket, struct, subprocess, sys, tempfile, time, urllib.request


class Failure(Exception):
    pass


class WebSocket:
    """A minimal RFC 6455 client: text frames out (masked, as a client must), text frames in."""

    def __init__(self, url, timeout=30):
        assert url.startswith("ws://")
        host_port, _, path = url[5:].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise Failure("the DevTools socket closed during the upgrade")
            head += chunk
        head, _, self.buffer = head.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise Failure("WebSocket upgrade refused: " + head.split(b"\r\n")[0].decode(errors="replace"))

    def send_text(self, text):
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Failure("the DevTools socket closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def receive_text(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise Failure("the DevTools socket was closed by the browser")
            if opcode == 0x9:  # ping: answer pong (masked)
                mask = os.urandom(4)
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask
                                  + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if opcode in (0x1, 0x0):
                message += payload
                if fin:
                    return message.decode()


class DevTools:
    """Commands by id over one WebSocket; events are kept for whoever waits for them."""

    def __init__(self, url):
        self.ws = WebSocket(url)
        self.next_id = 0
        self.events = []

    def call(self, method, timeout=30, **params):
        self.next_id += 1
        ident = self.next_id
        self.ws.send_text(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.time() + timeout
        while time.time() < deadline:
            message = json.loads(self.ws.receive_text())
            if message.get("id") == ident:
                if "error" in message:
                    raise Failure(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise Failure(f"{method}: no answer within {timeout} s")

    def wait_event(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.receive_text()))
        raise Failure(f"no {method} within {timeout} s")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise Failure(f"script failed: {expression[:80]}…: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=15):
        """Evaluates `expression` every 50 ms until it is truthy; returns its value. A bounded wait for a page
        condition, never a fixed delay: it returns as soon as the condition holds."""
        deadline = time.time() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.time() >= deadline:
                raise Failure(f"{what}: not within {timeout} s")
            time.sleep(0.05)

    def navigate(self, url):
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def submit(self, selector):
        """Clicks a submit button as a person would and waits for the next page."""
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        self.wait_event("Page.loadEventFired")

    def type_into(self, element_id, text):
        """Focuses a field and types into it (Input.insertText: what a keyboard's IME does). Every field is typed
        into, the birth date too: a field that does not take typed text (as Chromium's date field did not take the
        año-mes-día its hint asked for) shows up as a value that did not arrive."""
        self.evaluate(f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); "
                      f"e.focus(); e.value = ''; return e.type; }})()")
        self.call("Input.insertText", text=text)

    def click(self, selector):
        """Clicks an element with the mouse at its centre (after scrolling it into view), as a person would: the
        element must be visible and not covered by another."""
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; "
                            f"e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); "
                            f"return {{x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}}; }})()")
        if not box or not box["w"] or not box["h"]:
            raise Failure(f"nothing visible to click at {selector}")
        hit = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
                            f"const h = document.elementFromPoint({box['x']}, {box['y']}); "
                            f"return !!h && (h === e || e.contains(h)); }})()")
        if not hit:
            raise Failure(f"{selector} is covered by another element")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left",
                      clickCount=0 if kind == "mouseMoved" else 1)

    def screenshot(self, path):
        metrics = self.call("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path


def wait_for_port_file(profile, process, timeout=30):
    path = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise Failure(f"chromium exited with status {process.returncode} before opening DevTools")
        if os.path.exists(path):
            lines = open(path).read().split("\n")
            if len(lines) >= 2 and lines[0].strip():
                return int(lines[0])
        time.sleep(0.05)
    raise Failure(f"chromium did not open DevTools within {timeout} s")


class Chromium:
    """Headless Chromium with a throw-away profile; its log goes to `out`/chromium.log. Use with `with`: leaving
    stops the browser and removes the profile."""

    def __init__(self, binary, out, width, height):
        # SIGTERM (a test that gave up) unwinds like an error, so that leaving still stops the browser.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
        self.profile = tempfile.mkdtemp(prefix="boton-chromium-")
        self.log = open(os.path.join(out, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--lang=es-419", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=self.log, stderr=self.log)

    def __enter__(self):
        port = wait_for_port_file(self.profile, self.process)
        self.version = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=10))
        pages = [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
                 if t.get("type") == "page"]
        if not pages:
            raise Failure("chromium opened no page")
        self.browser = DevTools(self.version["webSocketDebuggerUrl"])
        self.page = DevTools(pages[0]["webSocketDebuggerUrl"])
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        # Chromium's helper processes may still write to the profile for a moment after the browser exits.
        for _ in range(50):
            shutil.rmtree(self.profile, ignore_errors=True)
            if not os.path.exists(self.profile):
                break
            time.sleep(0.1)
        return False


def problems(page, ignore=lambda text: False):
    """What the page reported as wrong so far: uncaught exceptions, console.error/warn calls, and browser log
    entries of level error or warning (failed loads, Content-Security-Policy violations). Needs Runtime and Log
    enabled. `ignore(text)` skips expected entries."""
    found = []
    for event in page.events:
        method, params = event["method"], event["params"]
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            found.append("exception: " + text)
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            if not ignore(text):
                found.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            text = params["entry"].get("text", "")
            if not ignore(text):
                found.append("log: " + text + (" (" + params["entry"]["url"] + ")" if params["entry"].get("url") else ""))
    return found


def officer_main(run, width, height, arguments=()):
    """Runs an officer's browser script: parses --chromium, --base, --out, --usuario, `arguments` (pairs of a flag
    and argparse keywords) and --password-stdin; reads the password from stdin's first line; starts Chromium with a
    `width` × `height` page (``prepare``) and calls `run(chromium, args, password)`. A ``Failure`` is one line on
    stderr and exit status 2."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--usuario", required=True)
    for flag, options in arguments:
        parser.add_argument(flag, **options)
    parser.add_argument("--password-stdin", action="store_true", required=True,
                        help="the password is the first line on stdin")
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    try:
        with Chromium(args.chromium, args.out, width, height) as chromium:
            prepare(chromium.page, width, height)
            run(chromium, args, password)
    except Failure as failure:
        print(f"browser test: {failure}", file=sys.stderr)
        sys.exit(2)


def prepare(page, width, height):
    """The page's events the tests read (Page, Runtime, Log) and a desktop viewport of `width` × `height`."""
    page.call("Page.enable")
    page.call("Runtime.enable")
    page.call("Log.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)


def sign_in(page, base, usuario, password, landing="/consola"):
    """Signs in through the form on /oficial/ingreso, as an officer does; the page must then be `landing`."""
    page.navigate(base + "/oficial/ingreso")
    page.type_into("usuario", usuario)
    page.type_into("contrasena", password)
    page.submit("main form button[type=submit]")
    if page.evaluate("location.pathname") != landing:
        raise Failure(f"the sign-in did not lead to {landing}: " + str(page.evaluate("document.body.innerText"))[:400])


def wait_live(page):
    """Waits until the console says its live feed is in sync (its event `sincronizado`)."""
    page.wait_for("document.getElementById('estado-conexion').classList.contains('en-linea')",
                  "the console never said it was live (event sincronizado)", timeout=20)


def say(obj):
    """One JSON line on stdout, flushed: the caller reads it at once."""
    print(json.dumps(obj), flush=True)


def read():
    """One JSON line from the caller on stdin."""
    line = sys.stdin.readline()
    if not line:
        raise Failure("the caller closed stdin")
    return json.loads(line)


def text_of(page, selector):
    """The trimmed text of the first element matching `selector` ('' when there is none)."""
    return page.evaluate(f"((document.querySelector({json.dumps(selector)}) || {{}}).textContent || '').trim()")
