#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol, as a citizen would on a phone:
opens /registro, fills the form (the home position with the "Usar mi ubicación" button and an emulated GPS fix),
submits it, reads the número de trámite, then looks the request up on /registro/estado. Screenshots go to --out.

Standard library only: the WebSocket client (HTTP upgrade, masked frames) is written here.
Prints one JSON object on stdout: {"tramite", "estado", "mensaje", "latitud", "longitud", "screenshots", "problemas"}.
Exits 2 with a message on stderr when something does not happen within its time.
"""
import argparse, base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request


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
        """Focuses a field and types into it (Input.insertText: what a keyboard's IME does). A date field is set
        as its picker would set it."""
        kind = self.evaluate(f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); "
                             f"e.focus(); e.value = ''; return e.type; }})()")
        if kind == "date":
            self.evaluate(f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); "
                          f"e.value = {json.dumps(text)}; e.dispatchEvent(new Event('input', {{bubbles: true}})); "
                          f"e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()")
        else:
            self.call("Input.insertText", text=text)

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--form", required=True, help="JSON object: field id -> text (and checkboxes -> true)")
    parser.add_argument("--documento", required=True)
    parser.add_argument("--lat", type=float, required=True)
    parser.add_argument("--lon", type=float, required=True)
    parser.add_argument("--wrong", default="{}",
                        help="JSON of fields typed wrong on a first submission, corrected on the second")
    args = parser.parse_args()
    form = json.loads(args.form)
    wrong = json.loads(args.wrong)
    profile = tempfile.mkdtemp(prefix="boton-chromium-")
    log = open(os.path.join(args.out, "chromium.log"), "wb")
    process = subprocess.Popen(
        [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--lang=es-419", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=412,915", "about:blank"],
        stdout=log, stderr=log)
    try:
        port = wait_for_port_file(profile, process)
        version = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=10))
        pages = [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
                 if t.get("type") == "page"]
        if not pages:
            raise Failure("chromium opened no page")
        browser = DevTools(version["webSocketDebuggerUrl"])
        page = DevTools(pages[0]["webSocketDebuggerUrl"])
        problems = []

        # A phone: a narrow viewport, and a GPS fix the citizen allows the site to read.
        browser.call("Browser.grantPermissions", origin=args.base, permissions=["geolocation"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Log.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=412, height=915, deviceScaleFactor=1, mobile=True)
        page.call("Emulation.setGeolocationOverride", latitude=args.lat, longitude=args.lon, accuracy=15)

        page.navigate(args.base + "/registro")
        if page.evaluate("document.title").find("Botón de Seguridad") < 0:
            raise Failure("/registro did not load: " + str(page.evaluate("document.title")))
        # The script shows the button only where geolocation exists, and fills the fields from the fix.
        if page.evaluate("document.querySelector('button[data-ubicar=domicilio]').hidden"):
            raise Failure("the 'Usar mi ubicación' button stayed hidden: /static/ubicacion.js did not run")
        page.evaluate("document.querySelector('button[data-ubicar=domicilio]').click()")
        deadline = time.time() + 15
        while not page.evaluate("document.getElementById('domicilio_latitud').value") and time.time() < deadline:
            time.sleep(0.1)
        latitude = page.evaluate("document.getElementById('domicilio_latitud').value")
        longitude = page.evaluate("document.getElementById('domicilio_longitud').value")
        if not latitude:
            raise Failure("the position was not filled: " + str(page.evaluate(
                "document.getElementById('domicilio_estado').textContent")))

        for field, value in form.items():
            value = wrong.get(field, value)
            if value is True:
                page.evaluate(f"document.getElementById({json.dumps(field)}).click()")
            elif page.evaluate(f"document.getElementById({json.dumps(field)}).tagName") == "SELECT":
                page.evaluate(f"document.getElementById({json.dumps(field)}).value = {json.dumps(value)}")
            else:
                page.type_into(field, value)
        shots = [page.screenshot(os.path.join(args.out, "registro-formulario.png"))]
        page.submit("main form button[type=submit]")
        errors = []
        if wrong:
            # The server answers with the form again: each message linked from the summary and shown at its
            # field, the field marked invalid, and everything typed still there.
            errors = page.evaluate("[...document.querySelectorAll('.resumen-errores a')]"
                                   ".map(a => ({campo: a.getAttribute('href').slice(1), mensaje: a.textContent,"
                                   " invalido: (document.getElementById(a.getAttribute('href').slice(1)) || {})"
                                   ".getAttribute && document.getElementById(a.getAttribute('href').slice(1))"
                                   ".getAttribute('aria-invalid') === 'true'}))") or []
            kept = {field: page.evaluate(f"document.getElementById({json.dumps(field)}).value")
                    for field, value in form.items() if isinstance(value, str) and field not in wrong}
            lost = [field for field, value in kept.items() if value != form[field]]
            if lost:
                problems.append("fields not kept after the errors: " + ", ".join(lost))
            shots.append(page.screenshot(os.path.join(args.out, "registro-errores.png")))
            for field in wrong:
                page.type_into(field, form[field])
            page.submit("main form button[type=submit]")
        tramite = page.evaluate("(document.getElementById('numero-tramite') || {}).textContent")
        if not tramite:
            summary = page.evaluate("[...document.querySelectorAll('.resumen-errores a')]"
                                    ".map(a => a.getAttribute('href') + ': ' + a.textContent).join('; ')"
                                    " || document.body.innerText")
            raise Failure("no número de trámite on the page after submitting: " + str(summary)[:600])
        shots.append(page.screenshot(os.path.join(args.out, "registro.png")))

        page.navigate(args.base + "/registro/estado")
        page.type_into("tramite", tramite.strip())
        page.type_into("documento", args.documento)
        page.submit("main form button[type=submit]")
        estado = page.evaluate("(document.getElementById('estado') || {}).textContent")
        mensaje = page.evaluate("(document.getElementById('estado-mensaje') || {}).textContent")
        shots.append(page.screenshot(os.path.join(args.out, "estado.png")))

        for event in page.events:
            if event["method"] == "Runtime.exceptionThrown":
                problems.append("exception: " + event["params"]["exceptionDetails"].get("text", ""))
            elif event["method"] == "Log.entryAdded" and event["params"]["entry"]["level"] in ("error", "warning"):
                text = event["params"]["entry"].get("text", "")
                # The wrong submission is answered 422 on purpose; Chromium reports every 4xx page load.
                if wrong and "status of 422" in text:
                    continue
                problems.append("log: " + text)
        print(json.dumps({"errores": errors, "tramite": tramite.strip(), "estado": (estado or "").strip(), "mensaje": (mensaje or "").strip(),
                          "latitud": latitude, "longitud": longitude, "screenshots": shots, "problemas": problems,
                          "navegador": version.get("Browser", "")}))
    except Failure as failure:
        print(f"browser test: {failure}", file=sys.stderr)
        sys.exit(2)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # Chromium's helper processes may still write to the profile for a moment after the browser exits.
        for _ in range(50):
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.1)


if __name__ == "__main__":
    main()
