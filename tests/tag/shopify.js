// Runs a Shopify custom pixel the way Shopify's Lax sandbox does: the pixel's code in a page
// of its own with the globals `analytics` (subscribe), `browser` and `init`, then the
// standard events, each delivered to its subscribers with Shopify's event envelope
// (`id`, `name`, `timestamp`, `context`, `data`).
//
// usage: node shopify.js PIXEL.js SCENARIO.json  ->  {"calls": [...], "injected": [...]}
// SCENARIO: {"init": {...}, "events": [{"name": "checkout_completed", "data": {...}}, ...]}
"use strict";
const fs = require("fs");
const { makePage } = require("./browser");

const code = fs.readFileSync(process.argv[2], "utf8");
const scenario = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const subscribers = {};
const analytics = {
  subscribe(name, fn) {
    (subscribers[name] = subscribers[name] || []).push(fn);
  },
};
const browser = {
  cookie: { get: async () => "", set: async () => {} },
  localStorage: { getItem: async () => null, setItem: async () => {} },
  sessionStorage: { getItem: async () => null, setItem: async () => {} },
};
const page = makePage({ analytics, browser, init: scenario.init || { data: {} } });
page.run(code, "pixel.js");
let seq = 0;
for (const ev of scenario.events) {
  seq += 1;
  const envelope = {
    id: `sh-test-${seq}`,
    name: ev.name,
    seq,
    clientId: "test-client",
    timestamp: "2026-11-21T10:00:00.000Z",
    context: { document: { location: { href: "https://shop.example.com/" } } },
    data: ev.data || {},
  };
  for (const fn of subscribers[ev.name] || []) fn(envelope);
  for (const fn of subscribers.all_events || []) fn(envelope);
}
process.stdout.write(JSON.stringify({ calls: page.calls(), injected: page.injected, subscribed: Object.keys(subscribers).sort() }));
