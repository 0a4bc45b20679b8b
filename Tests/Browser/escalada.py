#!/usr/bin/env python3
"""Drives headless Chromium through the Chrome DevTools Protocol as a UPC operator whose alert nobody takes: signs
in through the form on /oficial/ingreso, lands on /consola, and waits until the page says the live feed is in sync.

Then it tells its caller so, one JSON line on stdout: {"listo": true}, and waits for one JSON line on stdin:
{"incidente": ID} once the caller has sent an alert. It waits (live, without reloading) until the alert reaches
escalation level 3, then reads what the console says about the central: the list's badge (text and its
data-central), the banner raised for the escalation, and the dossier's "Escalamiento" row.

Standard library only; the DevTools client is in cdp.py beside this script. The last line on stdout is one JSON
object: {"marca", "central", "clase", "alarma", "escalamiento", "screenshots", "problemas", "navegador"}. Exits 2
with a message on stderr when something does not happen within its time.
"""
import json, os, sys

from cdp import Failure, officer_main, problems as page_problems, say, sign_in, text_of, wait_live


def main():
    officer_main(run, 1280, 900)


def run(chromium, args, password):
    page, version = chromium.page, chromium.version
    sign_in(page, args.base, args.usuario, password)
    wait_live(page)
    say({"listo": True})

    line = sys.stdin.readline()
    if not line:
        raise Failure("the caller closed stdin instead of naming the alert")
    ident = int(json.loads(line)["incidente"])
    badge = f"#lista-alertas li[data-id='{ident}'] .marca.escalada"

    # Level 3 arrives live (console.sla_s is short in the test): the badge then says what became of the notice.
    page.wait_for(f"(document.querySelector({json.dumps(badge)}) || {{dataset: {{}}}}).dataset.central !== '' && "
                  f"!!(document.querySelector({json.dumps(badge)}) || {{dataset: {{}}}}).dataset.central",
                  f"alert {ident} did not reach level 3 on the console", timeout=30)
    mark = text_of(page, badge)
    central = page.evaluate(f"document.querySelector({json.dumps(badge)}).dataset.central")
    classes = page.evaluate(f"document.querySelector({json.dumps(badge)}).className")
    alarm = text_of(page, "#alarma")

    page.click(f"#lista-alertas li[data-id='{ident}'] button.abrir-alerta")
    page.wait_for(f"(document.querySelector('#detalle h2') || {{}}).textContent?.startsWith('Alerta {ident} ')",
                  f"the detail of alert {ident} did not open")
    row = page.evaluate("(() => { for (const dt of document.querySelectorAll('#detalle dt')) { "
                        "if (dt.textContent.trim() === 'Escalamiento') return dt.nextElementSibling.textContent.trim(); } "
                        "return ''; })()")
    shots = [page.screenshot(os.path.join(args.out, "consola-escalada.png"))]
    say({"marca": mark, "central": central, "clase": classes, "alarma": alarm, "escalamiento": row,
         "screenshots": shots, "problemas": page_problems(page), "navegador": version.get("Browser", "")})


if __name__ == "__main__":
    main()
