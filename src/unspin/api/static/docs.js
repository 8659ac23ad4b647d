// Starts the vendored Swagger UI on /openapi.json (kept out of the page: no inline scripts).
window.addEventListener("load", function () {
  "use strict";
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
