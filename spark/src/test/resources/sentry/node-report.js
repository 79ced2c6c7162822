// Reports one handled exception to the DSN given as the first argument with the official
// @sentry/node SDK (the version package.json pins), then flushes. Run by SentryScriptsTest.
const Sentry = require('@sentry/node');

Sentry.init({
  dsn: process.argv[2],
  release: 'shop-node@3.1.4',
  environment: 'staging',
  debug: true,
});

function loadCart(id) {
  throw new TypeError(`cart ${id} has no items`);
}

function checkout(id) {
  try {
    loadCart(id);
  } catch (e) {
    Sentry.captureException(e);
  }
}

// An invalid DSN only disables the transport (and flush still says true): fail loudly instead.
if (!Sentry.getClient() || !Sentry.getClient().getDsn()) {
  console.error(`@sentry/node did not accept the DSN ${process.argv[2]}`);
  process.exit(2);
}

checkout(17);
Sentry.flush(20000).then((sent) => process.exit(sent ? 0 : 3), () => process.exit(4));
