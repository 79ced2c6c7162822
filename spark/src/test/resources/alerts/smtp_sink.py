"""A real SMTP server on loopback for the e-mail alert tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORT DIR [USER PASSWORD] [--tls CERT.pem KEY.pem [--require-tls | --implicit]]
Saves each message as DIR/<n>.eml (the raw DATA) with DIR/<n>.json (envelope sender, recipients, the
user who logged in, and whether the session was encrypted). With USER and PASSWORD, AUTH (PLAIN or
LOGIN) is required and checked. With --tls it offers STARTTLS with that certificate and key (PEM);
with --require-tls as well it refuses MAIL and AUTH before STARTTLS; without it, a client that never
starts TLS may still send in the clear (so a test can see whether one did). With --implicit it speaks
TLS from the first byte instead (SMTPS, what `security: tls` connects to).
Prints READY once listening; stops when its stdin closes (the test ends), so it never outlives it.
"""
import argparse
import json
import os
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("out")
parser.add_argument("login", nargs="*")
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--require-tls", action="store_true")
parser.add_argument("--implicit", action="store_true")
args = parser.parse_args()
port, out = args.port, args.out
if len(args.login) not in (0, 2):
    parser.error("give USER and PASSWORD together")
user, password = args.login if args.login else (None, None)
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
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "login": login,
                       "tls": server.transport.get_extra_info("ssl_object") is not None}, f)
        os.rename(os.path.join(out, "%d.eml.part" % n), os.path.join(out, "%d.eml" % n))
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, auth_data=auth_data)


kwargs = {}
if args.tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls[0], args.tls[1])
    if args.implicit:
        kwargs.update(ssl_context=context)
    else:
        kwargs.update(tls_context=context, require_starttls=args.require_tls)
if user is not None:
    # Without --require-tls, AUTH in the clear is allowed (loopback only, in a test; with --implicit
    # everything is encrypted anyway, but aiosmtpd only counts STARTTLS as TLS for AUTH).
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=bool(args.tls and args.require_tls))
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("READY", flush=True)
sys.stdin.read()
controller.stop()
