#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as an officer at a desk (1366×768): opens a
request's page from a link before signing in, signs in through the form, and must land back on that request
(issue 15, item 15: deep links); then reads the list of pending requests and checks that the page uses the
screen's width and that no número de trámite wraps onto two lines.

Standard library only; the DevTools client is in cdp.py. The last line on stdout is one JSON object: {"destino",
"ancho_main", "ventana", "tramites", "partidos", "desborde", "screenshots", "problemas"}. The password is the first
line on stdin. Exits 2 with a message on stderr when something does not happen within its time.
"""
import json, os

from cdp import Failure, officer_main, problems as page_problems


def main():
    officer_main(run, 1366, 768, [("--tramite", dict(required=True, help="a request the officer may open"))])


def run(chromium, args, password):
    page = chromium.page
    # A link to the request, followed before signing in: the sign-in page, then back to the request.
    page.navigate(args.base + "/oficial/solicitudes/" + args.tramite)
    if page.evaluate("location.pathname") != "/oficial/ingreso":
        raise Failure("a deep link without a session did not lead to the sign-in page: " + page.evaluate("location.href"))
    page.type_into("usuario", args.usuario)
    page.type_into("contrasena", password)
    page.submit("main form button[type=submit]")
    destination = page.evaluate("location.pathname + location.search")

    page.navigate(args.base + "/oficial/solicitudes")
    # Every número de trámite on one line: one client rect per link, no taller than a line of its text.
    numbers = page.evaluate("""[...document.querySelectorAll('a.tramite-n')].map(a => ({
        texto: a.textContent.trim(), lineas: a.getClientRects().length,
        alto: a.getBoundingClientRect().height,
        linea: parseFloat(getComputedStyle(a).lineHeight) || parseFloat(getComputedStyle(a).fontSize) * 1.6 }))""")
    broken = [n["texto"] for n in numbers if n["lineas"] != 1 or n["alto"] > n["linea"] * 1.5]
    main_width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    window_width = page.evaluate("window.innerWidth")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shots = [page.screenshot(os.path.join(args.out, "solicitudes.png"))]
    print(json.dumps({"destino": destination, "ancho_main": main_width, "ventana": window_width,
                      "tramites": [n["texto"] for n in numbers], "partidos": broken, "desborde": overflow,
                      "screenshots": shots, "problemas": page_problems(page)}))


if __name__ == "__main__":
    main()
