// A page for the generated code to run in, with Node's `vm`: `window`, a `document` just big
// enough for Pinterest's base code to inject `core.js` (which is recorded, never fetched), and
// the `pintrk` queue the base code creates. The queue is exactly the list of calls the page
// made; `core.js` never loads, so nothing leaves the machine.
"use strict";
const vm = require("vm");

function makePage(extraGlobals) {
  const injected = [];
  const firstScript = {
    parentNode: {
      insertBefore(el) {
        injected.push(el.src);
      },
    },
  };
  const document = {
    createElement(tag) {
      return { tagName: String(tag).toUpperCase() };
    },
    getElementsByTagName(tag) {
      return String(tag).toLowerCase() === "script" ? [firstScript] : [];
    },
  };
  const window = Object.assign({ document }, extraGlobals || {});
  window.window = window;
  const ctx = vm.createContext(window);
  return {
    ctx,
    window,
    run(code, filename) {
      vm.runInContext(code, ctx, { filename: filename || "page.js" });
    },
    calls() {
      // Through JSON: plain data, out of the vm's realm, `undefined` fields dropped as the
      // tag's own serialisation would.
      return window.pintrk ? JSON.parse(JSON.stringify(window.pintrk.queue)) : [];
    },
    injected,
  };
}

// The bodies of the `<script>` elements of an HTML text, in document order.
function scripts(html) {
  const out = [];
  const re = /<script\b[^>]*>([\s\S]*?)<\/script>/gi;
  let m;
  while ((m = re.exec(html)) !== null) out.push(m[1]);
  return out;
}

module.exports = { makePage, scripts };
