"""A stream of DC-09 events from my-dc09-spt (the dialler), for the SIGKILL test and `Scripts/bench dc09`.

    python3 dc09_stream.py --port N --accounts C001,C002 --events 6 [--transport TCP|UDP]

For each round and each account (one dialler per account, as one panel each) it sends one event in clear over
TCP: the first of each account a panic (SIA PA), the others burglary alarms (SIA BA, zone = round), and waits until
it is acknowledged. my-dc09-spt's own queue drops a message once its path fails (it raises "None of the paths are
working"), where a panel keeps it: then this script sends the same message (same number, same content) again
through the dialler's `transfer_msg` every 0.1 s until it is acknowledged, across a dead or restarting receiver. Each
acknowledged event is one JSON line on stdout as soon as the ACK came: {"account", "seq", "code", "ms"} (ms: from
the call to the ACK). Last line: {"done": true, "acked": n}.
"""
import argparse, json, logging, sys, time
from my_dc09_spt import dc09_spt
from my_dc09_spt.msg.dc03_msg import dc03_msg
from my_dc09_spt.msg.dc09_msg import dc09_msg


def main():
    logging.disable(logging.CRITICAL)  # the dialler logs every refused connection while the receiver is down
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--transport", default="TCP")
    args = parser.parse_args()
    accounts = args.accounts.split(",")
    diallers = {}
    for account in accounts:
        spt = dc09_spt.dc09_spt(account)
        spt.set_path('main', 'primary', "127.0.0.1", args.port, account=account, key=None, type=args.transport)
        diallers[account] = spt
    acked = 0
    for n in range(args.events):
        for account in accounts:
            spt = diallers[account]
            params = {"code": "PA", "zone": 1} if n == 0 else {"code": "BA", "zone": n + 1}
            began = time.monotonic()
            try:
                spt.send_msg("SIA-DCS", params)
            except Exception:
                # The path failed (receiver dead or restarting): the same message again until its ACK.
                message = dc03_msg.dc03event(account, params)
                extra = dc09_msg.dc09_extra(params)
                if extra is not None:
                    message += extra
                path = spt.tpaths['main']['primary']['path']
                deadline = time.monotonic() + 120
                while not spt.transfer_msg(spt.msg_nr, "SIA-DCS", message, path):
                    if time.monotonic() > deadline:
                        print(json.dumps({"error": "not acknowledged in 120 s", "account": account}), flush=True)
                        sys.exit(1)
                    time.sleep(0.1)
                spt.send = None
            acked += 1
            print(json.dumps({"account": account, "seq": spt.msg_nr, "code": "SIA " + params["code"],
                              "ms": (time.monotonic() - began) * 1000}), flush=True)
    print(json.dumps({"done": True, "acked": acked}), flush=True)


main()
