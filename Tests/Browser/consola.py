#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as a UPC operator would at a desk: signs in
through the form on /oficial/ingreso, lands on /consola, and waits until the page says the live feed is in sync.

Then it tells its caller so, one JSON line on stdout: {"listo": true}, and waits for one JSON line on stdin:
{"incidente": ID} once the caller has sent an alert (boton alert send). The alert must appear in the list with
the alarm banner without reloading; the operator opens it (the map must show its subcircuito and position), takes it ("Tomar
alerta"), closes it as atendida, and the list must show it closed. Screenshots go to --out.

Standard library only; the DevTools client is in cdp.py beside this script. The last line on stdout is one JSON
object: {"alarma", "detalle", "estado_final", "titulo_final", "mensaje", "mapa", "solicitudes" (rows of cell
texts), "alertas_ocultas", "solicitud_abierta" (the opened page's h1), "sin_senal" (rows of the "Sin señal" list
as shown when the console came up), "sin_senal_titulo", "screenshots", "problemas", "navegador"}. Exits 2 with a message on stderr when something does not happen within its time.
"""
import json, os, sys

from cdp import Failure, officer_main, problems as page_problems, say, sign_in, text_of, wait_live


def main():
    officer_main(run, 1280, 900)


def run(chromium, args, password):
    page, version = chromium.page, chromium.version
    shots = []

    # Sign in through the form, as the operator does.
    sign_in(page, args.base, args.usuario, password)
    # Live: the feed has replayed what there was and sent `sincronizado`.
    wait_live(page)
    if page.evaluate("document.querySelectorAll('#lista-alertas li').length") != 0:
        raise Failure("the list was not empty before the alert: " + text_of(page, "#lista-alertas"))
    # The "Sin señal" list of this UPC: supervised senders silent past their interval plus grace.
    page.wait_for("document.querySelectorAll('#tabla-sin-senal tbody tr').length > 0 || "
                  "(document.getElementById('sin-senal-aviso').textContent || '').startsWith('Todos')",
                  "the Sin señal list did not load")
    silent = page.evaluate("Array.from(document.querySelectorAll('#tabla-sin-senal tbody tr'))"
                           ".map(r => Array.from(r.cells).map(c => c.textContent.trim()))")
    silent_heading = text_of(page, "#titulo-sin-senal")
    say({"listo": True, "estado": text_of(page, "#estado-conexion")})

    line = sys.stdin.readline()
    if not line:
        raise Failure("the caller closed stdin instead of naming the alert")
    ident = int(json.loads(line)["incidente"])
    item = f"#lista-alertas li[data-id='{ident}']"

    # The alert arrives through the open EventSource: listed, and the alarm banner raised.
    page.wait_for(f"!!document.querySelector({json.dumps(item)}) && !document.getElementById('alarma').hidden",
                  f"alert {ident} did not appear live with the alarm banner", timeout=20)
    alarm = text_of(page, "#alarma")
    page.evaluate("window.scrollTo(0, 0)")
    shots.append(page.screenshot(os.path.join(args.out, "consola-alarma.png")))

    # Open it: the citizen's dossier and the map of the place (Leaflet, served by us).
    page.click(item + " button.abrir-alerta")
    page.wait_for(f"(document.querySelector('#detalle h2') || {{}}).textContent?.startsWith('Alerta {ident} ')",
                  f"the detail of alert {ident} did not open")
    page.wait_for("(document.getElementById('mapa') || {dataset: {}}).dataset.territorio === 'listo' && "
                  "document.querySelectorAll('#mapa path.posicion').length > 0",
                  "the map did not show the alert's territory and position", timeout=20)
    sketch = page.evaluate("(() => { const m = document.getElementById('mapa'); "
                           "return {subcircuito: m.querySelectorAll('path.subcircuito').length, "
                           "posiciones: m.querySelectorAll('path.posicion').length, "
                           "llamar: (document.getElementById('accion-llamar') || {getAttribute: () => ''}).getAttribute('href')}; })()")
    detail = text_of(page, "#detalle h2")

    # Take it.
    page.click("#accion-tomar")
    page.wait_for("!!document.querySelector('#detalle form.cierre select#resultado')",
                  "after 'Tomar alerta' the closing form did not appear")
    taken = text_of(page, "#detalle h2")

    # Close it as atendida.
    page.evaluate("document.getElementById('resultado').value = 'atendida'")
    page.click("#detalle form.cierre button[type=submit]")
    page.wait_for(f"!!document.querySelector({json.dumps(item + '.estado-cerrada')})",
                  f"alert {ident} was not shown closed in the list")
    page.wait_for("(document.querySelector('#detalle h2') || {}).textContent?.includes('Cerrada') && "
                  "(document.getElementById('mensaje-accion') || {}).textContent?.includes('cerrada')",
                  "the detail did not show the alert closed with the server's message")
    message = text_of(page, "#mensaje-accion")
    title = text_of(page, item + " .titulo")
    state = text_of(page, "#detalle h2")
    page.evaluate("window.scrollTo(0, 0)")
    shots.append(page.screenshot(os.path.join(args.out, "consola.png")))

    # The second tab: the enrollments of this UPC awaiting verification, each linking to its page.
    page.click("#tab-solicitudes")
    page.wait_for("!document.getElementById('panel-solicitudes').hidden && "
                  "(document.querySelectorAll('#tabla-solicitudes tbody tr').length > 0 || "
                  "document.getElementById('mensaje-solicitudes').textContent !== '')",
                  "the tab of enrollments awaiting verification did not load")
    requests = page.evaluate("Array.from(document.querySelectorAll('#tabla-solicitudes tbody tr'))"
                             ".map(r => Array.from(r.cells).map(c => c.textContent.trim()))")
    alerts_hidden = page.evaluate("document.getElementById('panel-alertas').hidden")
    opened = ""
    if requests:
        page.click("#tabla-solicitudes tbody tr a")
        page.wait_for(f"location.pathname === '/oficial/solicitudes/{requests[0][0]}' && document.readyState === 'complete'",
                      "the enrollment's link did not open its page")
        opened = text_of(page, "main h1")

    say({"alarma": alarm, "detalle": detail, "tomada": taken, "estado_final": state, "titulo_final": title,
         "mensaje": message, "mapa": sketch, "solicitudes": requests, "alertas_ocultas": alerts_hidden,
         "solicitud_abierta": opened, "sin_senal": silent, "sin_senal_titulo": silent_heading,
         "screenshots": shots, "problemas": page_problems(page),
         "navegador": version.get("Browser", "")})


if __name__ == "__main__":
    main()
