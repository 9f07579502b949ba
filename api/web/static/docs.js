// Swagger UI for /docs, from this server's own copy (the fastapi-offline package): no CDN, no inline script, on
// the origin where issuers paste their API keys. No validator badge (it would call validator.swagger.io).
window.addEventListener('DOMContentLoaded', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
  });
});
