#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as an officer taking a citizen's request from
*Ingresada* to *Activa* on its page, /oficial/solicitudes/:tramite (issue 15, "Done when": online enrollment →
officer → test alert → *activa* with the test alert closed; bug 4: a fijo line through the carrier's gateway):
signs in through the form, records a call that reached the citizen, marks the request verified, presses
"Registrar botón" and reads what the page then shows (the activation code's groups for the app, the instructions
for a fijo).

Then it waits for the test alert, which the Swift test sends (`boton alert test` or `boton alert gateway`): it
prints one JSON object on a line of its own, {"fase": "registrado", "codigo", "instrucciones", "registro",
"aviso_contacto", "sin_alcanzar", "pendiente"}, and waits for
one line on stdin (the test writes it once the alert was accepted). It reloads the request's page until the page
says the test alert arrived (bounded, as the page says to do), presses "Confirmar prueba", reads the state and the
notice, and opens /consola to read how the console lists that test alert now.

Standard library only; the DevTools client is in cdp.py. The password is the first line on stdin. The last line on
stdout is one JSON object: {"fase": "confirmado", "estados", "prueba_recibida", "estado_final", "aviso", "historial",
"acciones", "consola", "screenshots", "problemas"}. Exits 2 with a message on stderr when something does not happen within its
time.
"""
import json, os, sys, time

from cdp import Failure, officer_main, problems as page_problems, sign_in, text_of


def main():
    officer_main(run, 1366, 900, [("--tramite", dict(required=True)),
                                   ("--nombre", dict(required=True, help="prefix of the screenshots' names"))])


def form_button(action):
    """The submit button of the request page's form for `action` (contacto, verificar, registrar, …)."""
    return f"form[action$='/{action}'] button[type=submit]"


def run(chromium, args, password):
    page = chromium.page
    request = args.base + "/oficial/solicitudes/" + args.tramite
    sign_in(page, args.base, args.usuario, password)

    states = []
    page.navigate(request)
    states.append(text_of(page, "#estado"))
    # A call that did not reach the citizen: the page does not offer "Marcar como verificada" and says why.
    page.evaluate("document.getElementById('resultado').value = 'no_contesta'")
    page.type_into("nota", "Sin respuesta")
    page.submit(form_button("contacto"))
    states.append(text_of(page, "#estado"))
    unreached = {"boton": page.evaluate(f"!!document.querySelector({json.dumps(form_button('verificar'))})"),
                 "texto": text_of(page, "#verificar-pendiente")}
    page.evaluate("document.getElementById('resultado').value = 'contactado'")
    page.type_into("nota", "Confirmó identidad, dirección y contactos")
    page.submit(form_button("contacto"))
    states.append(text_of(page, "#estado"))
    notice_contact = text_of(page, "main [role=status]")
    if not page.evaluate(f"!!document.querySelector({json.dumps(form_button('verificar'))})"):
        raise Failure("after a call that reached the citizen the page offers no 'Marcar como verificada': "
                      + str(page.evaluate("document.querySelector('main').innerText"))[:600])
    page.submit(form_button("verificar"))
    states.append(text_of(page, "#estado"))
    page.submit(form_button("registrar"))
    groups = page.evaluate("[...document.querySelectorAll('#codigo-activacion .grupo')].map(s => s.textContent)")
    instructions = text_of(page, "#instrucciones")
    registration = text_of(page, "main h2")
    shots = [page.screenshot(os.path.join(args.out, args.nombre + "-registrado.png"))]
    page.navigate(request)
    states.append(text_of(page, "#estado"))
    waiting = text_of(page, "#prueba-pendiente")
    print(json.dumps({"fase": "registrado", "codigo": "-".join(groups), "instrucciones": instructions,
                      "registro": registration, "aviso_contacto": notice_contact, "sin_alcanzar": unreached,
                      "pendiente": waiting}), flush=True)

    # The Swift test sends the test alert and says so on stdin.
    if sys.stdin.readline().strip() != "enviada":
        raise Failure("the test did not say the test alert was sent")
    # The page asks to be reloaded to see whether the test alert arrived: reload until it says so.
    deadline = time.time() + 20
    while True:
        page.navigate(request)
        if page.evaluate("!!document.getElementById('prueba-recibida')"):
            break
        if time.time() >= deadline:
            raise Failure("the request page never said the test alert arrived: "
                          + str(page.evaluate("document.querySelector('main').innerText"))[:600])
        time.sleep(0.1)
    arrived = text_of(page, "#prueba-recibida")
    page.submit(form_button("confirmar-prueba"))
    final_state = text_of(page, "#estado")
    notice = text_of(page, "main [role=status]")
    history = page.evaluate("(() => { const h = [...document.querySelectorAll('h2')].find(e => e.textContent === "
                            "'Historial'); return h ? [...h.nextElementSibling.querySelectorAll('tbody tr')].map(tr => "
                            "[...tr.cells].map(c => c.textContent).join(' | ')) : []; })()")
    actions_left = page.evaluate("[...document.querySelectorAll('main form button[type=submit]')]"
                                 ".map(b => b.textContent)")
    shots.append(page.screenshot(os.path.join(args.out, args.nombre + "-activa.png")))

    # The console: the test alert is not waiting there as "Recibida · PRUEBA".
    page.navigate(args.base + "/consola")
    page.wait_for("document.getElementById('estado-conexion').classList.contains('en-linea')",
                  "the console never said it was live (event sincronizado)", timeout=20)
    listed = page.evaluate("[...document.querySelectorAll('#lista-alertas li')].map(li => "
                           "li.querySelector('.titulo').textContent + (li.classList.contains('es-prueba') ? ' · PRUEBA' : ''))")
    shots.append(page.screenshot(os.path.join(args.out, args.nombre + "-consola.png")))
    print(json.dumps({"fase": "confirmado", "estados": states, "prueba_recibida": arrived,
                      "estado_final": final_state, "aviso": notice, "historial": history,
                      "acciones": actions_left, "consola": listed, "screenshots": shots,
                      "problemas": page_problems(page)}), flush=True)


if __name__ == "__main__":
    main()
