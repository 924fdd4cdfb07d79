// Starts Swagger UI on /api/v1/docs. A static file, not an inline script, so the strict CSP holds.
// Settings come from the JSON data block the page renders; requests from "Try it out" carry the
// page's CSRF token, which the API requires for unsafe methods on a signed-in session.
"use strict";
(function () {
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (request) {
    if (csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  window.ui = window.SwaggerUIBundle(config);
})();
