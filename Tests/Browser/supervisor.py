#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as a distrito supervisor (issue 15, items 14, 15
and 20): signs in through the form, opens /consola, opens an alert whose line false alarms suspended, reads the
dossier (who did what, by rank and name; the date as every page writes it) and lifts the suspension from the form
the dossier offers, with a reason; the form must then go away.

Standard library only; the DevTools client is in cdp.py. The last line on stdout is one JSON object: {"historial",
"recibida", "formulario", "mensaje", "formulario_despues", "screenshots", "problemas"}. The password is the first
line on stdin. Exits 2 with a message on stderr when something does not happen within its time.
"""
import argparse, json, os, sys

from cdp import Chromium, Failure, problems as page_problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--usuario", required=True)
    parser.add_argument("--incidente", required=True, type=int)
    parser.add_argument("--motivo", required=True)
    parser.add_argument("--password-stdin", action="store_true", required=True)
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    try:
        with Chromium(args.chromium, args.out, 1366, 900) as chromium:
            run(chromium.page, args, password)
    except Failure as failure:
        print(f"browser test: {failure}", file=sys.stderr)
        sys.exit(2)


def text_of(page, selector):
    return page.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''").strip()


def run(page, args, password):
    page.call("Page.enable")
    page.call("Runtime.enable")
    page.call("Log.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=1366, height=900, deviceScaleFactor=1, mobile=False)
    page.navigate(args.base + "/oficial/ingreso")
    page.type_into("usuario", args.usuario)
    page.type_into("contrasena", password)
    page.submit("main form button[type=submit]")
    if page.evaluate("location.pathname") != "/consola":
        raise Failure("the sign-in did not lead to /consola: " + str(page.evaluate("document.body.innerText"))[:400])
    page.wait_for("document.getElementById('estado-conexion').classList.contains('en-linea')",
                  "the console never said it was live (event sincronizado)", timeout=20)
    item = f"#lista-alertas li[data-id='{args.incidente}']"
    page.wait_for(f"!!document.querySelector({json.dumps(item)})", f"alert {args.incidente} is not listed", timeout=20)
    page.click(item + " button.abrir-alerta")
    form = "#detalle textarea#motivo-suspension"
    page.wait_for(f"!!document.querySelector({json.dumps(form)})",
                  "the dossier of an alert of a suspended line offered the supervisor no form to lift it")
    history = page.evaluate("[...document.querySelectorAll('#detalle ol.historial li')].map(li => li.textContent)")
    received = page.evaluate("(() => { const dt = [...document.querySelectorAll('#detalle dl.datos dt')]"
                             ".find(d => d.textContent === 'Recibida'); return dt ? dt.nextElementSibling.textContent : ''; })()")
    heading = page.evaluate(f"document.querySelector({json.dumps(form)}).closest('form').querySelector('h3').textContent")
    page.type_into("motivo-suspension", args.motivo)
    page.click("#detalle form:has(textarea#motivo-suspension) button[type=submit]")
    page.wait_for("(document.getElementById('mensaje-accion') || {}).textContent?.includes('levantada')",
                  "lifting the suspension did not answer its message")
    message = text_of(page, "#mensaje-accion")
    page.wait_for(f"!document.querySelector({json.dumps(form)})", "the form stayed after the suspension was lifted")
    shots = [page.screenshot(os.path.join(args.out, "supervisor.png"))]
    print(json.dumps({"historial": history, "recibida": received, "formulario": heading, "mensaje": message,
                      "formulario_despues": False, "screenshots": shots, "problemas": page_problems(page)}))


if __name__ == "__main__":
    main()
