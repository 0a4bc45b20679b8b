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
import argparse, json, os, sys

from cdp import Chromium, Failure, problems as page_problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="directory for the screenshots")
    parser.add_argument("--usuario", required=True)
    parser.add_argument("--password-stdin", action="store_true", required=True,
                        help="the password is the first line on stdin")
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    try:
        with Chromium(args.chromium, args.out, 1280, 900) as chromium:
            run(chromium, args, password)
    except Failure as failure:
        print(f"browser test: {failure}", file=sys.stderr)
        sys.exit(2)


def say(obj):
    print(json.dumps(obj), flush=True)


def text_of(page, selector):
    return page.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''").strip()


def run(chromium, args, password):
    page, version = chromium.page, chromium.version
    page.call("Page.enable")
    page.call("Runtime.enable")
    page.call("Log.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    page.navigate(args.base + "/oficial/ingreso")
    page.type_into("usuario", args.usuario)
    page.type_into("contrasena", password)
    page.submit("main form button[type=submit]")
    if not page.evaluate("location.pathname") == "/consola":
        raise Failure("the sign-in did not lead to /consola: " + str(page.evaluate("location.href")))
    page.wait_for("document.getElementById('estado-conexion').classList.contains('en-linea')",
                  "the console never said it was live (event sincronizado)", timeout=20)
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
