"""Oracle for BotonCore's Cedula: python-stdnum's stdnum.ec.ci.

Usage: python3 cedula_oracle.py INPUT.json OUTPUT.json
INPUT is a JSON array of strings; OUTPUT gets, for each, {"valid": is_valid, "compact": compact or null}.
Exits 3 (with a message) when python-stdnum is not installed.
"""
import json
import sys

try:
    from stdnum.ec import ci
except ImportError as error:  # pragma: no cover - environment problem
    print("python-stdnum is missing (%s); run Scripts/test, which installs it with pip" % error, file=sys.stderr)
    sys.exit(3)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        inputs = json.load(f)
    results = []
    for s in inputs:
        valid = ci.is_valid(s)
        results.append({"valid": valid, "compact": ci.compact(s) if valid else None})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)


main()
