# Reports one handled exception to the DSN given as the first argument with Debian's
# python3-sentry-sdk (1.9: events go to /store/, gzipped), then flushes. Run by SentryScriptsTest.
import sys

import sentry_sdk

sentry_sdk.init(dsn=sys.argv[1], release="shop-py@0.9.1", environment="staging", debug=True)


def parse_invoice(number):
    raise ValueError("invoice %d is malformed" % number)


def import_invoices(number):
    try:
        parse_invoice(number)
    except ValueError:
        sentry_sdk.capture_exception()


import_invoices(9)
sentry_sdk.flush(timeout=20)
