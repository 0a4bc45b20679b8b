#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as a distrito supervisor (issue 15, items 14, 15
and 20): signs in through the form, opens /consola, opens an alert whose line false alarms suspended, reads the
dossier (who did what, by rank and name; the date as every page writes it) and lifts the suspension from the form
the dossier offers, with a reason; the form must then go away.

Standard library only; the DevTools client is in cdp.py. The last line on stdout is one JSON object: {"historial",
"recibida", "formulario", "mensaje", "formulario_despues", "screenshots", "problemas"}. The password is the first
line on stdin. Exits 2 with a message on stderr when something does not happen within its time.
"""
import json, os

from cdp import officer_main, problems as page_problems, sign_in, text_of, wait_live


def main():
    officer_main(run, 1366, 900, [("--incidente", dict(required=True, type=int)),
                                   ("--motivo", dict(required=True))])


def run(chromium, args, password):
    page = chromium.page
    sign_in(page, args.base, args.usuario, password)
    wait_live(page)
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
