// Initialise all GOV.UK Frontend components.
// Load with: <script type="module" src="/static/govuk/init.js"></script>
import { initAll } from "./govuk-frontend.min.js";

initAll();
