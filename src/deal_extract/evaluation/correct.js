// The correction form of the review page (deal-extract report --correct).
//
// Each article section holds a draft of its gold file (a JSON script element of class
// correct-draft, made by deal_extract/evaluation/corrections.py). "Correct this article"
// opens a form over it: organisations (keep, name, aliases, country, kind, add one), the extracted
// deals (right or wrong, partners and their roles, themes, deal types, territories, value, status,
// announced, assets, note) and deals the extractor missed. The result is a gold file (SPEC
// section 3, and the section 6 fields the analyst set): downloaded as YAML, or, when the page is
// served by 'deal-extract serve OUTPUT --corrections DIR', posted there (DIR/<article>.yaml).
// Every text of the article is put in the page as text (textContent, value), never as markup.
(function () {
  "use strict";

  const ENDPOINT = "/-/deal-extract/corrections";
  const VOCAB = JSON.parse(document.getElementById("deal-extract-vocab").textContent);
  const DETAILS = ["roles", "status", "announced", "assets"]; // SPEC section 6: written once the analyst sets them
  let server = null; // {folder, csrftoken} when served with --corrections
  let uid = 0;

  // --- YAML in the layout of SPEC section 3 ------------------------------------------------
  // A string is written plain where YAML reads it back as that same string, else double-quoted
  // (JSON's escapes are YAML's), with the characters YAML takes for line breaks or refuses escaped.
  const PLAIN = /^[A-Za-z][A-Za-z0-9 ._'&()\/+-]*$/;
  const WORDS = /^(y|yes|n|no|true|false|on|off|null)$/i;
  const ESCAPE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

  function scalar(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v === "number") return Number.isInteger(v) || !/e/i.test(String(v)) ? String(v) : JSON.stringify(String(v));
    const s = String(v);
    if (PLAIN.test(s) && !WORDS.test(s) && !/\s$/.test(s)) return s;
    return JSON.stringify(s).replace(ESCAPE, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  }

  function inline(v) {
    if (Array.isArray(v)) return "[" + v.map(inline).join(", ") + "]";
    if (v !== null && typeof v === "object") return "{" + Object.entries(v).map(([k, x]) => scalar(k) + ": " + inline(x)).join(", ") + "}";
    return scalar(v);
  }

  function entries(key, list) {
    if (!list.length) return [key + ": []"];
    const lines = [key + ":"];
    for (const item of list) {
      Object.entries(item).forEach(([k, v], i) => lines.push((i ? "    " : "  - ") + k + ": " + inline(v)));
    }
    return lines;
  }

  function yaml(gold) {
    const lines = [];
    for (const [k, v] of Object.entries(gold)) {
      if (k === "organisations" || k === "deals") lines.push(...entries(k, v));
      else lines.push(k + ": " + inline(v));
    }
    return lines.join("\n") + "\n";
  }

  // --- the form's state and the gold file it makes ------------------------------------------

  const split = (text) => text.split(";").map((s) => s.trim()).filter(Boolean);
  const inOrder = (values, vocab) => vocab.filter((v) => values.includes(v));

  function newState(draft) {
    const orgs = draft.organisations.map((o) => ({
      name: o.name, aliases: o.aliases.join("; "), country: o.country || "", kind: o.kind, keep: true,
    }));
    const index = (name) => orgs.findIndex((o) => o.name === name);
    const deals = draft.deals.map((d) => {
      const partners = d.partners.map(index);
      const roles = {};
      d.partners.forEach((name, i) => { roles[partners[i]] = d.roles[name] || ""; });
      return {
        id: d.id, predicted: true, verdict: null, partners, roles,
        themes: d.themes.slice(), deal_types: d.deal_types.slice(), territories: d.territories.join("; "),
        amount: d.value ? String(d.value.amount) : "", currency: d.value ? d.value.currency : "",
        valueText: d.value ? d.value.text : "", status: d.status, announced: d.announced || "",
        assets: d.assets.join("; "), note: "", set: noneSet(),
      };
    });
    return { stem: draft.stem, article: draft.article, published: draft.published, title: draft.title, orgs, deals };
  }

  function noneSet() {
    return Object.fromEntries(DETAILS.map((field) => [field, false]));
  }

  function newDeal() {
    return {
      id: null, predicted: false, verdict: "right", partners: [], roles: {}, themes: [], deal_types: [],
      territories: "", amount: "", currency: "", valueText: "", status: "agreed", announced: "", assets: "",
      note: "", set: noneSet(),
    };
  }

  function dealLabel(st, d, n) {
    const names = d.partners.map((i) => st.orgs[i].name.trim() || "?");
    return (names.length ? names.join(" + ") : "deal " + (n + 1)) + (d.predicted ? "" : " (added)");
  }

  // {gold, problems}: the gold file of the form, and what keeps it from being one
  function build(st) {
    const problems = [];
    const names = new Set();
    const organisations = [];
    st.orgs.forEach((o) => {
      if (!o.keep) return;
      const name = o.name.trim();
      if (!name) { problems.push("an organisation has no name"); return; }
      if (names.has(name)) problems.push("two organisations are named " + name);
      names.add(name);
      const country = o.country.trim().toUpperCase();
      if (country && !/^[A-Z]{2}$/.test(country)) problems.push(name + ": the country is a two-letter code such as KR");
      const entry = { name };
      const aliases = split(o.aliases);
      if (aliases.length) entry.aliases = aliases;
      entry.country = country || null;
      entry.kind = o.kind;
      organisations.push(entry);
    });
    const deals = [];
    st.deals.forEach((d, n) => {
      const label = dealLabel(st, d, n);
      if (d.verdict === null) { problems.push(label + ": mark it right or wrong"); return; }
      if (d.verdict === "wrong") return; // a wrong deal is no deal of the gold file
      const partners = d.partners.map((i) => st.orgs[i]);
      partners.filter((o) => !o.keep).forEach((o) => problems.push(label + ": " + o.name + " is left out of the organisations"));
      if (partners.length < 2) problems.push(label + ": a deal has two partners or more");
      const deal = {
        partners: partners.map((o) => o.name.trim()),
        themes: inOrder(d.themes, VOCAB.themes),
        deal_types: inOrder(d.deal_types, VOCAB.deal_types),
        territories: split(d.territories),
        value: null,
      };
      if (d.amount.trim() !== "") {
        const amount = Number(d.amount);
        const currency = d.currency.trim().toUpperCase();
        if (!Number.isFinite(amount) || amount < 0) problems.push(label + ": the value is no amount");
        if (!/^[A-Z]{3}$/.test(currency)) problems.push(label + ": the value's currency is a code such as USD");
        deal.value = { amount, currency, text: d.valueText.trim() };
      }
      if (d.set.roles) {
        deal.roles = {};
        d.partners.forEach((i) => { deal.roles[st.orgs[i].name.trim()] = d.roles[i] || null; });
      }
      if (d.set.status || d.status !== "agreed") deal.status = d.status; // an ended deal is matched among ended deals
      if (d.set.announced) {
        const announced = d.announced.trim();
        if (announced && !/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/.test(announced)) {
          problems.push(label + ": announced is YYYY, YYYY-MM or YYYY-MM-DD");
        }
        deal.announced = announced || null;
      }
      if (d.set.assets) deal.assets = split(d.assets);
      if (d.note.trim()) deal.note = d.note.trim();
      deals.push(deal);
    });
    const gold = { article: st.article };
    if (st.published) gold.published = st.published;
    if (st.title) gold.title = st.title;
    gold.organisations = organisations;
    gold.deals = deals;
    return { gold, problems };
  }

  // --- the form -------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "checked" || k === "value" || k === "hidden" || k === "disabled") node[k] = v;
      else node.setAttribute(k, v);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function select(values, current, attrs, blank) {
    const s = el("select", attrs);
    if (blank !== undefined) s.append(el("option", { value: "" }, blank));
    values.forEach((v) => s.append(el("option", { value: v }, v)));
    s.value = current;
    return s;
  }

  function Editor(box, draft) {
    const st = newState(draft);
    const root = el("div", { class: "correct-editor" });
    const status = el("span", { class: "correct-status", role: "status" });
    const problems = el("ul", { class: "correct-problems" });
    const preview = el("pre", { class: "correct-yaml" });
    const download = el("button", { type: "button", class: "correct-download", onclick: () => downloadYaml() }, "Download YAML");
    const save = el("button", { type: "button", class: "correct-save", onclick: () => post(false) }, "Save");
    const orgRows = el("tbody");
    const dealBox = el("div", { class: "correct-deals" });

    function refresh() {
      const { gold, problems: found } = build(st);
      preview.textContent = yaml(gold);
      problems.replaceChildren(...found.map((p) => el("li", {}, p)));
      download.disabled = save.disabled = found.length > 0;
      save.hidden = server === null;
      if (server) save.textContent = "Save to " + server.folder;
      return found.length ? null : gold;
    }

    function tick(d, field, value) { // the form follows the state without being drawn again (the focus stays)
      const box = d.node && d.node.querySelector(`input[data-field="${field}"]` + (value ? `[value="${value}"]` : ""));
      if (box) box.checked = true;
    }

    function changed(d) { // an edit of a deal that is not marked yet says it is right
      if (d.predicted && d.verdict === null) { d.verdict = "right"; tick(d, "verdict", "right"); }
      refresh();
    }

    function orgRow(o, i) {
      const name = el("input", { "data-field": "name", value: o.name, oninput: (e) => {
        o.name = e.target.value;
        root.querySelectorAll(`[data-org-index="${i}"]`).forEach((label) => { label.textContent = o.name || "?"; });
        refresh();
      } });
      return el("tr", { class: o.keep ? "" : "left-out", "data-org": o.name },
        el("td", {}, el("input", { type: "checkbox", "data-field": "keep", checked: o.keep, title: "an organisation of the article", onchange: (e) => { o.keep = e.target.checked; render(); } })),
        el("td", {}, name),
        el("td", {}, el("input", { "data-field": "aliases", value: o.aliases, placeholder: "other names; separated by ;", oninput: (e) => { o.aliases = e.target.value; refresh(); } })),
        el("td", {}, el("input", { "data-field": "country", value: o.country, size: "3", maxlength: "2", placeholder: "?", oninput: (e) => { o.country = e.target.value; refresh(); } })),
        el("td", {}, select(VOCAB.kinds, o.kind, { "data-field": "kind", onchange: (e) => { o.kind = e.target.value; refresh(); } })));
    }

    function ticks(kind, values, chosen, d) {
      return el("div", { class: "correct-ticks" }, el("span", { class: "correct-label" }, kind.replace("_", " ") + ": "),
        ...values.map((v) => el("label", {}, el("input", {
          type: "checkbox", ["data-" + kind.replace("_", "-")]: v, checked: chosen.includes(v),
          onchange: (e) => { if (e.target.checked) chosen.push(v); else chosen.splice(chosen.indexOf(v), 1); changed(d); },
        }), v)));
    }

    function text(d, field, label, attrs, detailField) {
      const input = el("input", { ...attrs, "data-field": field, value: d[field], oninput: (e) => { d[field] = e.target.value; changed(d); } });
      return el("label", {}, label + " ", detailField ? detail(d, detailField, input) : input);
    }

    function marks(d) { // the details that go into the gold file, marked; the box ticked when all do
      for (const field of DETAILS) {
        d.node.querySelectorAll(`[data-detail="${field}"]`).forEach((node) => node.classList.toggle("set", d.set[field]));
      }
      d.node.querySelector("input[data-field=details]").checked = DETAILS.every((field) => d.set[field]);
    }

    function detail(d, field, node) { // a detail the analyst sets goes into the gold file
      node.setAttribute("data-detail", field);
      for (const event of ["input", "change"]) node.addEventListener(event, () => { d.set[field] = true; marks(d); refresh(); });
      return node;
    }

    function dealBlock(d, n) {
      const attrs = d.predicted ? { class: "correct-deal", "data-deal": d.id } : { class: "correct-deal added", "data-added": String(n) };
      if (d.verdict === "wrong") attrs.class += " wrong";
      const head = [];
      if (d.predicted) {
        const group = "verdict-" + ++uid;
        for (const verdict of ["right", "wrong"]) {
          head.push(el("label", { class: "verdict" }, el("input", {
            type: "radio", name: group, value: verdict, "data-field": "verdict", checked: d.verdict === verdict,
            onchange: () => { d.verdict = verdict; render(); },
          }), verdict));
        }
      } else {
        head.push(el("button", { type: "button", class: "correct-remove", onclick: () => { st.deals.splice(n, 1); render(); } }, "Remove"));
      }
      const partners = el("div", { class: "correct-ticks" }, el("span", { class: "correct-label" }, "partners: "));
      st.orgs.forEach((o, i) => {
        const ticked = d.partners.includes(i);
        if (!o.keep && !ticked) return;
        partners.append(el("label", {}, el("input", {
          type: "checkbox", "data-partner": o.name, checked: ticked,
          onchange: (e) => {
            if (e.target.checked) { d.partners.push(i); d.roles[i] = d.roles[i] || ""; } else d.partners.splice(d.partners.indexOf(i), 1);
            changed(d); render();
          },
        }), el("span", { "data-org-index": String(i) }, o.name || "?")));
        if (ticked) {
          partners.append(detail(d, "roles", select(VOCAB.roles, d.roles[i] || "", {
            "data-role": o.name, title: "the role of " + o.name, onchange: (e) => { d.roles[i] = e.target.value; changed(d); },
          }, "role?")));
        }
      });
      d.node = el("fieldset", attrs, el("legend", {}, dealLabel(st, d, n)), ...head, partners,
        ticks("themes", VOCAB.themes, d.themes, d), ticks("deal_types", VOCAB.deal_types, d.deal_types, d),
        el("div", {}, text(d, "territories", "territories", { placeholder: "separated by ;" })),
        el("div", {}, text(d, "amount", "value", { type: "number", min: "0", step: "any", placeholder: "amount" }), " ",
          text(d, "currency", "", { size: "4", maxlength: "3", placeholder: "USD" }), " ",
          text(d, "valueText", "", { placeholder: "as the text says it" })),
        el("div", { class: "correct-details" },
          el("label", { title: "the roles, status, announced and assets shown are right: they go into the gold file" },
            el("input", { type: "checkbox", "data-field": "details", onchange: (e) => {
              DETAILS.forEach((field) => { d.set[field] = e.target.checked; });
              marks(d);
              refresh();
            } }), "details right"),
          " ", detail(d, "status", select(VOCAB.statuses, d.status, { "data-field": "status", onchange: (e) => { d.status = e.target.value; changed(d); } })),
          " ", text(d, "announced", "announced", { placeholder: "YYYY-MM-DD", size: "10" }, "announced"),
          " ", text(d, "assets", "assets", { placeholder: "separated by ;" }, "assets")),
        el("div", {}, text(d, "note", "note", { size: "60" })));
      marks(d);
      return d.node;
    }

    function render() {
      orgRows.replaceChildren(...st.orgs.map(orgRow));
      dealBox.replaceChildren(...st.deals.map(dealBlock));
      refresh();
    }

    function selectedText() {
      const selection = window.getSelection();
      const inside = selection && selection.rangeCount && box.closest("section").contains(selection.anchorNode);
      return inside ? selection.toString().replace(/\s+/g, " ").trim() : "";
    }

    function downloadYaml() {
      const gold = refresh();
      if (!gold) return;
      const a = el("a", { href: URL.createObjectURL(new Blob([yaml(gold)], { type: "text/yaml" })), download: st.stem + ".yaml" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      status.textContent = "downloaded " + st.stem + ".yaml";
    }

    async function post(overwrite) {
      const gold = refresh();
      if (!gold || !server) return;
      status.textContent = "saving ...";
      let response, body;
      try {
        response = await fetch(ENDPOINT, {
          method: "POST", credentials: "same-origin",
          headers: { "content-type": "application/json", "x-csrftoken": server.csrftoken },
          body: JSON.stringify({ article: st.stem, overwrite, gold }),
        });
        body = await response.json();
      } catch (error) {
        status.textContent = "not saved: " + error;
        return;
      }
      if (response.status === 409 && body.exists && !overwrite) {
        if (window.confirm(body.error + "\n\nReplace it?")) return post(true);
        status.textContent = "not saved: " + body.error;
        return;
      }
      status.textContent = response.ok ? (body.replaced ? "replaced " : "saved ") + body.path : "not saved: " + body.error;
    }

    root.append(
      el("p", { class: "meta" }, "Mark each deal right or wrong, fix what is wrong, add the deals the extractor missed; " +
        "the organisations are those of the gold file. A deal's roles, status, announced and assets go into it once " +
        "you set them (framed green) or tick 'details right'."),
      el("h4", {}, "Organisations"),
      el("table", { class: "correct-orgs" }, el("thead", {}, el("tr", {}, ...["Keep", "Name", "Aliases", "Country", "Kind"].map((h) => el("th", {}, h)))), orgRows),
      el("button", { type: "button", class: "correct-add-org", title: "select its name in the text first",
        onclick: () => { st.orgs.push({ name: selectedText(), aliases: "", country: "", kind: "company", keep: true }); render(); } }, "Add organisation"),
      el("h4", {}, "Deals"), dealBox,
      el("button", { type: "button", class: "correct-add-deal", onclick: () => { st.deals.push(newDeal()); render(); } }, "Add a missed deal"),
      problems,
      el("p", {}, download, " ", save, " ", status),
      el("details", { class: "correct-preview" }, el("summary", {}, "The gold file"), preview));
    box.append(root);
    render();
    return { refresh };
  }

  const editors = [];
  document.querySelectorAll("div.correct").forEach((box) => {
    const open = box.querySelector("button.correct-open");
    open.hidden = false;
    open.addEventListener("click", () => {
      open.hidden = true;
      editors.push(Editor(box, JSON.parse(box.querySelector("script.correct-draft").textContent)));
    });
  });

  if (location.protocol === "http:" || location.protocol === "https:") {
    fetch(ENDPOINT, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((found) => { if (found && found.csrftoken) { server = found; editors.forEach((e) => e.refresh()); } })
      .catch(() => null); // not served by deal-extract serve --corrections: the download alone
  }

  window.dealExtractYaml = yaml; // for the tests: the YAML of a gold file, as the download writes it
})();
