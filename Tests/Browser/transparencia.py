#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol (the client of registro.py) as a journalist and a
citizen would: opens /transparencia on a laptop-sized screen, reads the table, checks that the chart (an <img> of
/transparencia/grafico.svg) loaded, takes a screenshot; opens it again on a 390 px phone and measures what a
reader there gets (issue 15, item 19): which drawing of the chart, how large its smallest text shows, whether the
page or the table scrolls sideways; then, on a phone-sized screen, files a complaint on /quejas and reads its number.

Prints one JSON object on stdout: {"titulo", "filas", "primera_fila", "grafico", "grafico_alt", "telefono", "queja",
"screenshots", "problemas"}. Exits 2 with a message on stderr when something does not happen within its time.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registro import DevTools, Failure, wait_for_port_file  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--queja", required=True, help="the complaint's description")
    args = parser.parse_args()
    profile = tempfile.mkdtemp(prefix="boton-chromium-")
    log = open(os.path.join(args.out, "chromium.log"), "wb")
    process = subprocess.Popen(
        [args.chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--lang=es-419", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "--window-size=1100,900", "about:blank"],
        stdout=log, stderr=log)
    try:
        port = wait_for_port_file(profile, process)
        pages = [t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
                 if t.get("type") == "page"]
        if not pages:
            raise Failure("chromium opened no page")
        page = DevTools(pages[0]["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Log.enable")
        page.call("Emulation.setDeviceMetricsOverride", width=1100, height=900, deviceScaleFactor=1, mobile=False)
        problems = []

        page.navigate(args.base + "/transparencia")
        title = page.evaluate("document.title")
        rows = page.evaluate("[...document.querySelectorAll('#tabla-transparencia tbody tr')]"
                             ".map(r => [...r.cells].map(c => c.textContent.trim()))")
        # The chart is an image from our own origin: wait until it has decoded (or failed).
        deadline = time.time() + 15
        while time.time() < deadline and not page.evaluate("document.querySelector('figure.grafico img').complete"):
            time.sleep(0.1)
        chart = page.evaluate("(() => { const i = document.querySelector('figure.grafico img');"
                              " return {ancho: i.naturalWidth, alto: i.naturalHeight, mostrado: i.clientWidth}; })()")
        alt = page.evaluate("document.querySelector('figure.grafico img').alt")
        shots = [page.screenshot(os.path.join(args.out, "transparencia.png"))]

        # The same page on a 390 px phone.
        page.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
        page.navigate(args.base + "/transparencia")
        deadline = time.time() + 15
        while time.time() < deadline and not page.evaluate("document.querySelector('figure.grafico img').complete"):
            time.sleep(0.1)
        phone = page.evaluate("""(() => {
            const i = document.querySelector('figure.grafico img'), t = document.getElementById('tabla-transparencia');
            const box = t.parentElement, cells = [...t.tBodies[0].rows[t.tBodies[0].rows.length - 1].cells];
            return {fuente: i.currentSrc, natural: i.naturalWidth, mostrado: i.clientWidth,
                    // The chart's smallest text is 14 units high: how many CSS pixels that is on this screen.
                    texto_minimo_px: 14 * i.clientWidth / i.naturalWidth,
                    desborde_pagina: document.documentElement.scrollWidth - window.innerWidth,
                    desborde_tabla: box.scrollWidth - box.clientWidth,
                    tabla_derecha: t.getBoundingClientRect().right, ventana: window.innerWidth,
                    ultima_fila: cells.map(c => c.textContent.trim())}; })()""")
        shots.append(page.screenshot(os.path.join(args.out, "transparencia-telefono.png")))

        # A citizen on a phone files a complaint.
        page.call("Emulation.setDeviceMetricsOverride", width=412, height=915, deviceScaleFactor=1, mobile=True)
        page.navigate(args.base + "/quejas")
        page.type_into("descripcion", args.queja)
        page.type_into("contacto", "099 123 4567")
        page.submit("main form button[type=submit]")
        number = page.evaluate("(document.getElementById('numero-queja') || {}).textContent")
        if not number:
            raise Failure("no complaint number after submitting: " + str(page.evaluate("document.body.innerText"))[:600])
        shots.append(page.screenshot(os.path.join(args.out, "queja.png")))

        for event in page.events:
            if event["method"] == "Runtime.exceptionThrown":
                problems.append("exception: " + event["params"]["exceptionDetails"].get("text", ""))
            elif event["method"] == "Log.entryAdded" and event["params"]["entry"]["level"] in ("error", "warning"):
                problems.append("log: " + event["params"]["entry"].get("text", ""))
        print(json.dumps({"titulo": title, "filas": len(rows), "primera_fila": rows[0] if rows else [],
                          "ultima_fila": rows[-1] if rows else [], "grafico": chart, "grafico_alt": alt,
                          "telefono": phone,
                          "queja": number.strip(), "screenshots": shots, "problemas": problems}))
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
        for _ in range(50):
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.1)


if __name__ == "__main__":
    main()
