'use strict';
// The ready-to-click link Spark prints (/login#token=...) carries the token in the fragment, which the
// browser never sends: take it, drop it from the address bar and history, and post the form.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('login-form');
  const input = document.getElementById('token');
  const hash = window.location.hash;
  if (hash.startsWith('#token=')) {
    const token = decodeURIComponent(hash.slice('#token='.length));
    window.history.replaceState(null, '', window.location.pathname);
    if (token) {
      input.value = token;
      form.submit();
    }
  }
});
