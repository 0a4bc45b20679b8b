#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol, as a citizen would on a phone:
opens /registro, fills the form (the home position with the "Usar mi ubicación" button and an emulated GPS fix),
submits it, reads the número de trámite, then looks the request up on /registro/estado. Screenshots go to --out.

Standard library only; the DevTools client is in cdp.py beside this script.
Prints one JSON object on stdout: {"tramite", "estado", "mensaje", "latitud", "longitud", "screenshots", "problemas"}.
Exits 2 with a message on stderr when something does not happen within its time.
"""
import argparse, json, os, sys, time

from cdp import Chromium, Failure, problems as page_problems
# Other scripts imported the client from here before cdp.py existed; the names stay importable.
from cdp import DevTools, WebSocket, wait_for_port_file  # noqa: F401


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
    try:
        with Chromium(args.chromium, args.out, 412, 915) as chromium:
            run(chromium, args, form, wrong)
    except Failure as failure:
        print(f"browser test: {failure}", file=sys.stderr)
        sys.exit(2)


def run(chromium, args, form, wrong):
    browser, page, version = chromium.browser, chromium.page, chromium.version
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

    # The wrong submission is answered 422 on purpose; Chromium reports every 4xx page load.
    problems += page_problems(page, ignore=lambda text: bool(wrong) and "status of 422" in text)
    print(json.dumps({"errores": errors, "tramite": tramite.strip(), "estado": (estado or "").strip(), "mensaje": (mensaje or "").strip(),
                      "latitud": latitude, "longitud": longitude, "screenshots": shots, "problemas": problems,
                      "navegador": version.get("Browser", "")}))


if __name__ == "__main__":
    main()
