// Equivalent of GOV.UK Frontend's inline <body> snippet, as an external file
// so no inline script / CSP nonce is needed. Include it as the first element
// in <body>: <script src="/static/govuk/js-enabled.js"></script>
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
