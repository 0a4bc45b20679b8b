"""DC-09 peers for the integration tests: my-dc09-spt (a dialler) and siadc09 (message primitives).

Input: {"port": N, "steps": [...]}; output: one result per step.
Steps:
  {"dialler": "TCP"|"UDP", "account": "1234", "key": hex|null, "type": "SIA-DCS"|"ADM-CID", "params": {...}}
      -> {"sent": bool, "error": str|null}   (my-dc09-spt: sends, waits for ACK, resends on NAK)
  {"poll": "TCP"|"UDP", "account": "1234", "key": hex|null, "interval": 1, "count": 5}
      -> {"polls": n}   (my-dc09-spt's own NULL polling every `interval` s until `count` were acknowledged)
  {"raw": "TCP"|"UDP", "frames": [hex of bytes...], "key": hex|null}
      -> {"answers": [{"token", "seq", "account", "encrypted", "timestamp"} | {"error"}]}
  {"siadc09": {"token": "SIA-DCS", "account": "1234", "data": "#1234|Nri1/PA501", "seq": 5, "key": hex|null,
               "offset_s": 0, "xdata": ["X-78.5", "Y-0.2"]}} -> {"frame": hex}
"""
import json, socket, sys, datetime, time
from my_dc09_spt import dc09_spt
from siadc09 import message, util, account as sacct, xdata as sxdata
from siadc09.xdata import Data

def read_answers(sock, want, tcp):
    out, buf = [], b''
    sock.settimeout(10)
    while len(out) < want:
        if tcp:
            chunk = sock.recv(4096)
            if not chunk:
                break
            buf += chunk
            while b'\r' in buf:
                frame, buf = buf[:buf.index(b'\r') + 1], buf[buf.index(b'\r') + 1:]
                out.append(frame)
        else:
            out.append(sock.recvfrom(4096)[0])
    return out

def describe(frame, key):
    try:
        body = frame[9:-1]
        if util.crc(body) != int(frame[1:5], 16) or len(body) != int(frame[5:9], 16):
            return {"error": "crc/length", "raw": frame.decode('latin1')}
        if body.startswith(b'"NAK"'):
            # DC-09-2013's NAK ("NAK"0000R0L0A0[]_time) has no '#': siadc09 wants one, so it is read here.
            ts = body[body.index(b'_') + 1:].decode()
            return {"token": "NAK", "seq": 0, "timestamp": util.fromtimestamp(ts).timestamp(),
                    "raw": frame.decode('latin1')}
        m = message.parse_frame(frame, keys=bytes.fromhex(key) if key else None)
        return {"token": m.idtoken, "seq": m.seq, "account": "%X" % m.account.acct, "encrypted": m.encrypted,
                "receiver": m.account.rcvr, "line": m.account.pref,
                "timestamp": m.timestamp.timestamp() if m.timestamp else None, "raw": frame.decode('latin1')}
    except Exception as e:
        return {"error": repr(e), "raw": frame.decode('latin1')}

def main():
    spec = json.load(open(sys.argv[1]))
    port = spec["port"]
    results = []
    for step in spec["steps"]:
        if "dialler" in step:
            key = bytes.fromhex(step["key"]) if step.get("key") else None
            spt = dc09_spt.dc09_spt(step["account"])
            spt.set_path('main', 'primary', "127.0.0.1", port, account=step["account"], key=key, type=step["dialler"])
            if step.get("offset_s"):
                spt.tpaths['main']['primary']['path'].set_offset(step["offset_s"])
            try:
                spt.send_msg(step["type"], step["params"])
                results.append({"sent": spt.notSent() == 0, "error": None})
            except Exception as e:
                results.append({"sent": False, "error": repr(e)})
        elif "poll" in step:
            key = bytes.fromhex(step["key"]) if step.get("key") else None
            spt = dc09_spt.dc09_spt(step["account"])
            spt.set_path('main', 'primary', "127.0.0.1", port, account=step["account"], key=key, type=step["poll"])
            spt.start_poll(step["interval"], retry_delay=0.1)
            deadline = time.time() + 60
            while spt.state()['poll count'] < step["count"] and time.time() < deadline:
                time.sleep(0.05)
            polls = spt.state()['poll count']
            spt.stop_poll()
            results.append({"polls": polls})
        elif "raw" in step:
            tcp = step["raw"] == "TCP"
            frames = [bytes.fromhex(f) for f in step["frames"]]
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
            if tcp:
                sock.connect(("127.0.0.1", port))
                sock.sendall(b''.join(frames))
            else:
                for f in frames:
                    sock.sendto(f, ("127.0.0.1", port))
            try:
                answers = read_answers(sock, step.get("expect", len(frames)), tcp)
            except socket.timeout:
                answers = []
            sock.close()
            results.append({"answers": [describe(a, step.get("key")) for a in answers]})
        else:
            s = step["siadc09"]
            acct = sacct.Account(acct=int(s["account"], 16), key=s.get("key"), rcvr=s.get("receiver"),
                                 pref=s.get("line"))
            m = message.Message(acct, config={"idtoken": s["token"], "seqno": s["seq"],
                                              "data": Data(content=s["data"].encode()) if s.get("data") else None,
                                              "xdata": [Data(content=x.encode()) for x in s.get("xdata", [])]})
            ts = util.now() + datetime.timedelta(seconds=s.get("offset_s", 0))
            results.append({"frame": m.encode(timestamp=ts, encrypt=bool(s.get("key"))).hex()})
    json.dump(results, open(sys.argv[2], "w"))

main()
