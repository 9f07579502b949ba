// Swagger UI for /docs, from this server's own copy (the fastapi-offline package): no CDN, no inline script, on
// the origin where issuers paste their API keys. No validator badge (it would call validator.swagger.io).
// Swagger UI puts a link inside each operation's toggle button (nested controls: a keyboard or screen-reader user
// meets two for one thing); the link is dropped, and the button, with deep linking, still puts the operation in the URL.
function unnestLinks(root) {
  root.querySelectorAll('.opblock-summary-control a[href]').forEach((link) => link.removeAttribute('href'));
}

window.addEventListener('DOMContentLoaded', () => {
  const root = document.getElementById('swagger-ui');
  new MutationObserver(() => unnestLinks(root)).observe(root, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
  });
});
