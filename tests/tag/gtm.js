// A small Google Tag Manager for tests: reads a container export, processes a data layer of
// pushes the way GTM does (the data model merges each push recursively; a message with
// `event` evaluates the triggers), fires the Custom HTML tags whose triggers match (with
// their setup tags and firing options), and resolves `{{variables}}` as GTM does: in a
// Custom HTML script a `{{Name}}` becomes an expression that evaluates the variable when the
// tag runs; constants, data-layer variables (version 2, dotted paths), custom JavaScript
// variables (which may use other variables) and the built-in Event. An unknown variable,
// trigger or tag type is an error, never a silent blank.
//
// usage: node gtm.js CONTAINER.json DATALAYER.json  ->  {"calls": [...], "injected": [...]}
"use strict";
const fs = require("fs");
const { makePage, scripts } = require("./browser");

const ALL_PAGES = "2147479553";

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

// GTM's data model: objects and arrays merge into what is there, anything else replaces it.
function merge(into, from) {
  for (const k of Object.keys(from)) {
    const v = from[k];
    if (isPlainObject(v) && isPlainObject(into[k])) merge(into[k], v);
    else if (Array.isArray(v) && Array.isArray(into[k])) merge(into[k], v);
    else if (isPlainObject(v)) into[k] = merge({}, v);
    else if (Array.isArray(v)) into[k] = merge([], v);
    else into[k] = v;
  }
  return into;
}

function param(entity, key) {
  const p = (entity.parameter || []).find((x) => x.key === key);
  if (!p) throw new Error(`${entity.name}: no parameter \`${key}\``);
  return p.value;
}

function runContainer(container, pushes) {
  const cv = container.containerVersion;
  if (container.exportFormatVersion !== 2) throw new Error("exportFormatVersion is not 2");
  const variables = new Map((cv.variable || []).map((v) => [v.name, v]));
  const builtIns = new Set((cv.builtInVariable || []).map((b) => b.name));
  const triggers = new Map((cv.trigger || []).map((t) => [t.triggerId, t]));
  const tagsByName = new Map((cv.tag || []).map((t) => [t.name, t]));
  const model = {};
  let currentEvent;
  const page = makePage();
  const firedOnce = new Set();

  function resolve(name) {
    if (name === "_event" || (name === "Event" && builtIns.has("Event"))) return currentEvent;
    const v = variables.get(name);
    if (!v) throw new Error(`unknown variable {{${name}}}`);
    switch (v.type) {
      case "c":
        return substitute(param(v, "value"));
      case "v": {
        if (param(v, "dataLayerVersion") !== "2") throw new Error(`${name}: dataLayerVersion`);
        let cur = model;
        for (const part of param(v, "name").split(".")) {
          if (cur === undefined || cur === null) return undefined;
          cur = cur[part];
        }
        return cur;
      }
      case "jsm": {
        const fn = param(v, "javascript").replace(/\{\{([^}]+)\}\}/g, (_, n) => `__gtmVar(${JSON.stringify(n)})`);
        return page.run(`__gtmResult = (${fn})();`, name), page.window.__gtmResult;
      }
      default:
        throw new Error(`${name}: variable type \`${v.type}\` not supported by this runner`);
    }
  }
  // Text fields (constants, filter args) take the variable's value as text.
  function substitute(text) {
    return String(text).replace(/\{\{([^}]+)\}\}/g, (_, n) => String(resolve(n)));
  }
  page.window.__gtmVar = resolve;

  function matches(triggerId) {
    if (triggerId === ALL_PAGES) return currentEvent === "gtm.js";
    const t = triggers.get(triggerId);
    if (!t) throw new Error(`trigger ${triggerId} does not exist`);
    if (t.type !== "CUSTOM_EVENT") throw new Error(`trigger type ${t.type} not supported`);
    return (t.customEventFilter || []).every((f) => {
      const a = substitute(param(f, "arg0"));
      const b = substitute(param(f, "arg1"));
      if (f.type !== "EQUALS") throw new Error(`filter type ${f.type} not supported`);
      return a === b;
    });
  }

  function fire(tag) {
    if (tag.tagFiringOption === "ONCE_PER_LOAD" && firedOnce.has(tag.name)) return;
    for (const s of tag.setupTag || []) {
      const setup = tagsByName.get(s.tagName);
      if (!setup) throw new Error(`setup tag \`${s.tagName}\` does not exist`);
      fire(setup);
    }
    if (tag.type !== "html") throw new Error(`tag type ${tag.type} not supported`);
    firedOnce.add(tag.name);
    for (const body of scripts(param(tag, "html"))) {
      page.run(body.replace(/\{\{([^}]+)\}\}/g, (_, n) => `__gtmVar(${JSON.stringify(n)})`), tag.name);
    }
  }

  for (const push of pushes) {
    merge(model, push);
    if (push.event === undefined) continue;
    currentEvent = push.event;
    for (const tag of cv.tag || []) {
      if ((tag.firingTriggerId || []).some(matches)) fire(tag);
    }
  }
  return { calls: page.calls(), injected: page.injected };
}

if (require.main === module) {
  const container = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const pushes = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
  process.stdout.write(JSON.stringify(runContainer(container, pushes)));
}
