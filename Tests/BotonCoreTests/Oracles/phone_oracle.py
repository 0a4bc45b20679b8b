"""Oracle for BotonCore's PhoneLine: Google's libphonenumber (Python `phonenumbers`), region EC.

Usage: python3 phone_oracle.py INPUT.json OUTPUT.json
INPUT is a JSON array of strings; OUTPUT gets, for each, an object:
  category: "fijo" (FIXED_LINE), "celular" (MOBILE), "fijo_o_celular" (FIXED_LINE_OR_MOBILE),
            "service" (valid EC number of type TOLL_FREE or VOIP), "other:<type>" (valid EC number of any
            other type), "invalid" (parsed as EC, not valid), "foreign" (parsed with a country code other
            than 593), "parse_error:<error_type>" (NumberParseException)
  e164, national, international: formatted strings for fijo/celular/fijo_o_celular, else null.
Exits 3 (with a message) when phonenumbers is not installed.
"""
import json
import sys

try:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat, PhoneNumberType
except ImportError as error:  # pragma: no cover - environment problem
    print("phonenumbers is missing (%s); run Scripts/test, which installs it with pip" % error, file=sys.stderr)
    sys.exit(3)

KINDS = {
    PhoneNumberType.FIXED_LINE: "fijo",
    PhoneNumberType.MOBILE: "celular",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fijo_o_celular",
}
SERVICE = {PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP}


def judge(s):
    out = {"category": None, "e164": None, "national": None, "international": None}
    try:
        n = phonenumbers.parse(s, "EC")
    except phonenumbers.NumberParseException as e:
        out["category"] = "parse_error:%d" % e.error_type
        return out
    if n.country_code != 593:
        out["category"] = "foreign"
        return out
    if not phonenumbers.is_valid_number(n):
        out["category"] = "invalid"
        return out
    t = phonenumbers.number_type(n)
    if t in KINDS:
        out["category"] = KINDS[t]
        out["e164"] = phonenumbers.format_number(n, PhoneNumberFormat.E164)
        out["national"] = phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL)
        out["international"] = phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL)
    elif t in SERVICE:
        out["category"] = "service"
    else:
        out["category"] = "other:%d" % t
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        inputs = json.load(f)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump([judge(s) for s in inputs], f)


main()
