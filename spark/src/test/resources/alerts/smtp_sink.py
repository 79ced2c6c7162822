"""A real SMTP server on loopback for the e-mail alert tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [USER PASSWORD]
Saves each message as DIR/<n>.eml (the raw DATA) with DIR/<n>.json (envelope sender, recipients, and
the user who logged in). With USER and PASSWORD, AUTH (PLAIN or LOGIN) is required and checked.
Prints READY once listening; stops when its stdin closes (the test ends), so it never outlives it.
"""
import json
import os
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# Loopback only, in a test: AUTH without TLS is what is being tested.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
port, out = int(sys.argv[1]), sys.argv[2]
user = sys.argv[3] if len(sys.argv) > 4 else None
password = sys.argv[4] if len(sys.argv) > 4 else None
count = 0
lock = threading.Lock()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
            n = count
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        with open(os.path.join(out, "%d.eml.part" % n), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(out, "%d.json" % n), "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "login": login}, f)
        os.rename(os.path.join(out, "%d.eml.part" % n), os.path.join(out, "%d.eml" % n))
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, auth_data=auth_data)


kwargs = {}
if user is not None:
    kwargs = dict(authenticator=authenticate, auth_required=True, auth_require_tls=False)
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("READY", flush=True)
sys.stdin.read()
controller.stop()
