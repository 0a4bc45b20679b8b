#!/usr/bin/env python3
"""A silent alert with a live track on the console map (issue 15, items 10, 11 and 13), in headless Chromium driven
through the Chrome DevTools Protocol, as a UPC operator at a 1366×768 desk and then on a 390×844 phone.

Protocol with the caller, one JSON line each way:
  1. out {"listo": true}: signed in, the console is live, and the alarm-sound choice was switched on and
     survived a reload (the button and localStorage say so).
  2. in {"normal": A, "silenciosa": B}: the caller sent an ordinary alert A, then a silent alert B (newer).
     B must be listed first, with the silent mark; the operator opens it: the banner "ALERTA SILENCIOSA — no
     llame a la línea", no call to the line (no button, no tel: link to it), a geo: link, the battery, the map
     with its subcircuito, neighbours, UPC and the first position. "Tomar alerta" must be inside the 1366×768
     viewport without scrolling.
     out {"abierta": {...}}
  3. in {"posiciones": N}: the caller sent more positions with the simulator; the map must show N positions as a
     track (polyline) with N accuracy circles, without a reload. The operator takes the alert and dispatches
     --unidad. out {"recorrido": {...}}
  4. On a 390×844 phone: /consola again, the alert opened, the page scrolled down the dossier: its header (title,
     banner, actions) stays inside the viewport. The last line on stdout: {"telefono": {...}, "screenshots",
     "problemas", "navegador"}.
Exits 2 with a message on stderr when something does not happen within its time. Standard library only.
"""
import json, os

from cdp import officer_main, problems as page_problems, read, say, sign_in, text_of, wait_live


def main():
    officer_main(run, 1366, 768, [
        ("--linea", dict(required=True, help="the silent alert's line, E.164 (+593…)")),
        ("--unidad", dict(required=True, help="the unit the operator dispatches"))])


def viewport(page, width, height, mobile):
    page.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)


def live(page, base):
    page.navigate(base + "/consola")
    wait_live(page)


def rect(page, selector):
    """The element's box in the viewport, and the viewport's size and scroll."""
    return page.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null; "
                         "const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, "
                         "right: r.right, alto: innerHeight, ancho: innerWidth, scroll: scrollY}; })()")


def map_state(page):
    return page.evaluate("""(() => { const m = document.getElementById('mapa'); if (!m) return null;
        const n = s => m.querySelectorAll(s).length;
        const box = m.getBoundingClientRect();
        // Drawn where it can be seen: the subcircuito's outline and the last position inside the map's box (a map
        // laid out while detached from the page draws them clipped or off to one side).
        const inside = s => { const e = m.querySelector(s); if (!e) return false; const r = e.getBoundingClientRect();
            return r.width > 4 && r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
                && r.bottom <= box.bottom + 1; };
        const outline = m.querySelector('path.subcircuito');
        return {territorio: m.dataset.territorio || '', posiciones: Number(m.dataset.posiciones || -1),
                marcas: n('path.posicion'), ultima: n('path.posicion.ultima'), recorrido: n('path.recorrido'),
                precision: n('path.precision'), subcircuito: n('path.subcircuito'), vecinos: n('path.vecino'),
                upc: n('.icono-upc'), domicilio: n('.icono-domicilio'), ultima_visible: inside('path.posicion.ultima'),
                contorno_ancho: outline ? Math.round(outline.getBoundingClientRect().width) : 0, teselas: n('.leaflet-tile'), alto: m.getBoundingClientRect().height}; })()""")


def run(chromium, args, password):
    page, version = chromium.page, chromium.version
    shots = []

    sign_in(page, args.base, args.usuario, password)
    wait_live(page)
    # The alarm sound: switched on, then the page reloaded: the choice is remembered.
    before = text_of(page, "#sonido")
    page.click("#sonido")
    page.wait_for("document.getElementById('sonido').dataset.activo === '1'", "the sound button did not switch on")
    live(page, args.base)
    sound = {"antes": before, "despues": text_of(page, "#sonido"),
             "activo": page.evaluate("document.getElementById('sonido').dataset.activo"),
             "guardado": page.evaluate("localStorage.getItem('boton.consola.sonido')")}
    say({"listo": True, "sonido": sound})

    alerts = read()
    normal, silent = int(alerts["normal"]), int(alerts["silenciosa"])
    item = f"#lista-alertas li[data-id='{silent}']"
    page.wait_for(f"!!document.querySelector({json.dumps(item)}) && "
                  f"!!document.querySelector(\"#lista-alertas li[data-id='{normal}']\")",
                  "the two alerts did not appear live", timeout=20)
    order = page.evaluate("Array.from(document.querySelectorAll('#lista-alertas li')).map(li => Number(li.dataset.id))")
    marks = page.evaluate(f"Array.from(document.querySelectorAll({json.dumps(item + ' .marca')})).map(m => m.textContent)")
    alarm = text_of(page, "#alarma")

    page.click(item + " button.abrir-alerta")
    page.wait_for(f"(document.querySelector('#detalle h2') || {{}}).textContent?.startsWith('Alerta {silent} ')",
                  f"the detail of alert {silent} did not open")
    page.wait_for("(document.getElementById('mapa') || {dataset: {}}).dataset.territorio === 'listo' && "
                  "document.querySelectorAll('#mapa path.posicion').length > 0",
                  "the map did not show the territory and the first position", timeout=20)
    page.evaluate("window.scrollTo(0, 0)")
    take = rect(page, "#accion-tomar")
    opened = {
        "banner": text_of(page, "#aviso-silenciosa"),
        "llamar": page.evaluate("!!document.getElementById('accion-llamar')"),
        "tel_linea": page.evaluate(f"document.querySelectorAll('#detalle a[href=\"tel:{args.linea}\"]').length"),
        "tel": page.evaluate("Array.from(document.querySelectorAll('#detalle a[href^=\"tel:\"]')).map(a => a.getAttribute('href'))"),
        "geo": page.evaluate("(document.getElementById('abrir-en-mapas') || {getAttribute: () => ''}).getAttribute('href')"),
        "datos": page.evaluate("Array.from(document.querySelectorAll('#detalle dl.datos dt')).map(dt => "
                               "[dt.textContent, dt.nextElementSibling.textContent])"),
        "tomar": take, "mapa": map_state(page), "orden": order, "marcas": marks, "alarma": alarm,
    }
    say({"abierta": opened})

    count = int(read()["posiciones"])
    page.wait_for(f"(() => {{ const m = document.getElementById('mapa'); return !!m && "
                  f"m.dataset.posiciones === '{count}' && m.querySelectorAll('path.posicion').length === {count}; }})()",
                  f"the map did not show {count} positions live", timeout=20)
    track = map_state(page)
    caption = text_of(page, "#leyenda-mapa")
    page.evaluate("window.scrollTo(0, 0)")
    shots.append(page.screenshot(os.path.join(args.out, "consola-mapa.png")))
    # Take it and dispatch a unit: the phone is told (the caller checks its answer).
    page.click("#accion-tomar")
    page.wait_for("!!document.getElementById('unidad')", "after 'Tomar alerta' the dispatch form did not appear")
    page.type_into("unidad", args.unidad)
    page.click("#detalle form.accion button[type=submit]")
    page.wait_for(f"(document.querySelector('#detalle h2') || {{}}).textContent === 'Alerta {silent} · Despachada'",
                  "the alert was not shown despachada")
    say({"recorrido": track, "leyenda": caption, "despachada": text_of(page, "#detalle h2")})
    read()  # the caller asked the phone's state; go on to the phone layout
    page.evaluate("window.scrollTo(0, 0)")
    shots.append(page.screenshot(os.path.join(args.out, "consola.png")))

    # A phone: the selected alert's header stays in view while the operator scrolls its dossier.
    viewport(page, 390, 844, True)
    live(page, args.base)
    page.wait_for(f"!!document.querySelector({json.dumps(item)})", "the alert was not listed on the phone", timeout=20)
    page.click(item + " button.abrir-alerta")
    page.wait_for(f"(document.querySelector('#detalle h2') || {{}}).textContent?.startsWith('Alerta {silent} ')",
                  "the detail did not open on the phone")
    at_open = rect(page, "#cabecera-detalle")
    shots.append(page.screenshot(os.path.join(args.out, "consola-telefono.png")))
    page.evaluate("(() => { const d = document.getElementById('detalle'); "
                  "window.scrollTo(0, d.getBoundingClientRect().top + scrollY + d.offsetHeight / 2); })()")
    scrolled = rect(page, "#cabecera-detalle")
    phone = {"al_abrir": at_open, "desplazado": scrolled, "banner": text_of(page, "#aviso-silenciosa"),
             "ancho_pagina": page.evaluate("document.documentElement.scrollWidth")}
    say({"telefono": phone, "screenshots": shots, "problemas": page_problems(page),
         "navegador": version.get("Browser", "")})


if __name__ == "__main__":
    main()
