// Runs a page of HTML the way a browser runs its scripts: every live `<script>` in document
// order, in one page (placeholders filled when the scenario gives values). With `--snippets`, the target `html`'s commented event snippets
// (`<!-- pinconv event NAME: ... -->`) named in the scenario are pasted after the base code,
// their placeholders replaced as the user would: a quoted "PLACEHOLDER" by a JSON string, a
// bare PLACEHOLDER by a number.
//
// usage: node html.js PAGE.html [SCENARIO.json]  ->  {"calls": [...], "injected": [...]}
// SCENARIO: {"snippets": ["addtocart", "checkout"], "values": {"ORDER_ID": "1001", "VALUE": 12.5}}
"use strict";
const fs = require("fs");
const { makePage, scripts } = require("./browser");

const html = fs.readFileSync(process.argv[2], "utf8");
const scenario = process.argv[3] ? JSON.parse(fs.readFileSync(process.argv[3], "utf8")) : {};
const values = scenario.values || {};

function fill(code) {
  let out = code;
  for (const [k, v] of Object.entries(values)) {
    out = out.split(`"${k}"`).join(JSON.stringify(String(v)));
    out = out.replace(new RegExp(`\\b${k}\\b`, "g"), JSON.stringify(v));
  }
  const left = out.match(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\bVALUE\b|\bCURRENCY\b/);
  if (left) throw new Error(`placeholder ${left[0]} not filled`);
  return out;
}

// Live scripts: outside HTML comments.
const live = html.replace(/<!--[\s\S]*?-->/g, "");
const page = makePage();
// A page with placeholders of its own (the base code's CUSTOMER_EMAIL) is filled too.
for (const s of scripts(live)) page.run(scenario.values ? fill(s) : s, "page.html");
const snippets = {};
const re = /<!-- pinconv event (\w+):[\s\S]*?-->/g;
let m;
while ((m = re.exec(html)) !== null) snippets[m[1]] = m[0];
for (const name of scenario.snippets || []) {
  if (!snippets[name]) throw new Error(`no snippet for ${name}; have ${Object.keys(snippets)}`);
  for (const s of scripts(snippets[name])) page.run(fill(s), `snippet-${name}`);
}
process.stdout.write(JSON.stringify({ calls: page.calls(), injected: page.injected, snippets: Object.keys(snippets) }));
