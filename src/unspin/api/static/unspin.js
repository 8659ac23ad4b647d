// unspin web UI: paste or drop an article, see the technique spans in the text.
//
// Safety rule for this file: untrusted strings (the article, ids, file names, labels, claim
// titles, URLs) reach the page only through textContent, setAttribute on inert attributes, or
// href after a scheme check. Nothing here uses innerHTML, outerHTML, insertAdjacentHTML or
// document.write.
(function () {
  "use strict";

  const boot = JSON.parse(document.getElementById("unspin-boot").textContent);
  const TECH = new Map(boot.techniques.map((t) => [t.name, t]));
  const PATTERNS = new Set(["solid", "dashed", "dotted", "double", "wavy"]);
  const $ = (id) => document.getElementById(id);

  // -- small DOM helpers ------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child); // strings become text nodes
    }
    return node;
  }

  function pct(x) {
    const v = Number(x);
    return Number.isFinite(v) ? Math.round(v * 100) + "%" : "–";
  }

  function num(x, digits) {
    const v = Number(x);
    return Number.isFinite(v) ? v.toFixed(digits) : "–";
  }

  function technique(label) {
    const t = TECH.get(label);
    if (t) return t;
    return { name: label, display: String(label), definition: "", example: "",
             color: "#777777", pattern: "solid", symbol: "?" };
  }

  function quote(s, max) {
    const limit = max || 280;
    const t = s.length > limit ? s.slice(0, limit - 1) + "…" : s;
    return "“" + t + "”";
  }

  function httpUrl(raw) {
    if (typeof raw !== "string") return null;
    try {
      const u = new URL(raw);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  function swatch(t) {
    const s = el("span", { class: "swatch p-" + (PATTERNS.has(t.pattern) ? t.pattern : "solid"),
                           "aria-hidden": "true", text: t.symbol });
    s.style.setProperty("--c", t.color);
    return s;
  }

  // -- state ------------------------------------------------------------------------------

  let data = null; // the analysis being shown
  let spans = []; // its technique spans, with their DOM elements
  let textNodes = []; // [{start, node}] to map offsets to DOM ranges
  const hidden = new Set(); // technique labels switched off in the legend
  let pinned = false; // the card stays until Esc / click elsewhere
  let dismissed = false; // Esc closed the card of the focused highlight

  // -- offsets ---------------------------------------------------------------------------
  // Offsets in the JSON count code points (Python string indices); JavaScript strings count
  // UTF-16 units. Outside the Basic Multilingual Plane (emoji, rare CJK) the two differ, so
  // every offset is mapped before it touches the text.

  let units = { len: 0, at: (i) => i };

  function unitMap(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return { len: text.length, at: (i) => i };
    const map = [0];
    let u = 0;
    for (const ch of text) { u += ch.length; map.push(u); }
    return { len: map.length - 1, at: (i) => map[i] };
  }

  // [start, end) in code points -> [start, end) in UTF-16 units, or null if it does not fit
  function toUnits(start, end) {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end &&
          end <= units.len)) return null;
    return [units.at(start), units.at(end)];
  }

  // -- rendering the text -------------------------------------------------------------------

  function validSpans(a) {
    const out = [];
    (a.techniques || []).forEach((s, i) => {
      const r = toUnits(s.start, s.end);
      if (r) {
        out.push({ start: r[0], end: r[1], label: String(s.label), score: s.score, i: i,
                   els: [], head: null, lane: 0 });
      }
    });
    return out;
  }

  // Each span keeps one "lane" (underline depth) along its whole length, so crossing and
  // nested spans stay apart: interval-graph colouring, first free lane.
  function assignLanes(list) {
    const byStart = list.slice().sort((a, b) => a.start - b.start || b.end - a.end);
    const laneEnd = [];
    for (const s of byStart) {
      let k = laneEnd.findIndex((end) => end <= s.start);
      if (k < 0) { k = laneEnd.length; laneEnd.push(0); }
      laneEnd[k] = s.end;
      s.lane = k;
    }
  }

  function rowsOf(a) {
    const n = a.text.length;
    const starts = (a.sentences || [])
      .map((s) => { const r = toUnits(s.start, s.end); return r && { ...s, start: r[0], end: r[1] }; })
      .filter(Boolean)
      .sort((x, y) => x.start - y.start);
    if (!starts.length) return [{ start: 0, end: n, sentence: null }];
    return starts.map((s, k) => ({
      start: k === 0 ? 0 : s.start,
      end: k + 1 < starts.length ? starts[k + 1].start : n,
      sentence: s,
    }));
  }

  function gutter(sentence, claim) {
    const g = el("div", { class: "gutter" });
    if (claim) {
      g.append(el("span", { class: "claim-mark", title: "Resembles a known claim (see Claims)",
                            "aria-hidden": "true", text: "≈ claim" }),
               el("span", { class: "sr-only", text: "This sentence resembles a known claim." }));
    }
    if (!sentence) return g;
    const score = Number(sentence.score) || 0;
    const labels = (sentence.labels || []).map(technique);
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.setProperty("--w", Math.max(0, Math.min(1, score)) * 100 + "%");
    g.append(
      el("span", { class: "num" + (score === 0 ? " zero" : ""), text: pct(score) }),
      bar,
      el("span", { class: "syms", "aria-hidden": "true",
                   title: labels.map((t) => t.display).join(", ") || null,
                   text: labels.map((t) => t.symbol).join("") }),
      el("span", { class: "sr-only",
                   text: "Sentence score " + pct(score) +
                         (labels.length ? ": " + labels.map((t) => t.display).join(", ") : "") +
                         "." }),
    );
    return g;
  }

  function renderText(a) {
    const doc = $("doc");
    doc.replaceChildren();
    textNodes = [];
    spans = validSpans(a);
    assignLanes(spans);
    const text = a.text;
    const rows = rowsOf(a);
    const claimRanges = (Array.isArray(a.claims) ? a.claims : [])
      .map((c) => toUnits(c.start, c.end)).filter(Boolean);
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
    for (const r of rows) cuts.add(r.start);
    const points = Array.from(cuts).sort((x, y) => x - y);
    const byStart = spans.slice().sort((x, y) => x.start - y.start || y.end - x.end);

    let next = 0; // next span (by start) not yet active
    let active = [];
    let row = -1;
    let line = null;
    let lanes = 0;
    const finishRow = () => { if (line) line.style.setProperty("--lanes", String(lanes)); };
    for (let p = 0; p + 1 < points.length; p++) {
      const a0 = points[p];
      const b0 = points[p + 1];
      while (row + 1 < rows.length && rows[row + 1].start <= a0) {
        finishRow();
        row++;
        line = el("div", { class: "line" });
        lanes = 0;
        const cur = rows[row];
        const claim = claimRanges.some(([cs, ce]) => cs < cur.end && ce > cur.start);
        const r = el("div", { class: "row" }, gutter(cur.sentence, claim), line);
        doc.append(r);
      }
      while (next < byStart.length && byStart[next].start <= a0) active.push(byStart[next++]);
      active = active.filter((s) => s.end > a0);
      const covering = active.filter((s) => s.start <= a0 && s.end >= b0)
        .sort((x, y) => x.lane - y.lane);
      const node = document.createTextNode(text.slice(a0, b0));
      textNodes.push({ start: a0, node: node });
      let inner = node;
      for (let k = covering.length - 1; k >= 0; k--) {
        const s = covering[k];
        const t = technique(s.label);
        const layer = el("span", { class: "hl p-" + (PATTERNS.has(t.pattern) ? t.pattern : "solid"),
                                   "data-i": s.i, "data-label": s.label });
        layer.style.setProperty("--c", t.color);
        layer.style.setProperty("--lane", String(s.lane));
        if (a0 === s.start) {
          layer.classList.add("start");
          layer.setAttribute("data-sym", t.symbol);
          layer.setAttribute("tabindex", "0");
          layer.setAttribute("role", "button");
          layer.setAttribute("aria-label", t.display + ", score " + num(s.score, 2) + ": " +
                             quote(text.slice(s.start, s.end), 160));
          s.head = layer;
        }
        s.els.push(layer);
        layer.append(inner);
        inner = layer;
        lanes = Math.max(lanes, s.lane + 1);
      }
      line.append(inner);
    }
    finishRow();
  }

  // -- the details card ---------------------------------------------------------------------

  function cardItem(s) {
    const t = technique(s.label);
    return el("div", { class: "card-item" },
      el("div", { class: "card-head" }, swatch(t),
         el("strong", { text: t.display }),
         el("span", { class: "score", text: "score " + num(s.score, 2) })),
      el("p", { class: "frag", text: quote(data.text.slice(s.start, s.end)) }),
      t.definition ? el("p", { class: "def", text: t.definition }) : null);
  }

  function showCard(list, anchor) {
    const card = $("card");
    const shown = list.filter((s) => !hidden.has(s.label));
    if (!shown.length) { hideCard(); return; }
    card.replaceChildren(...shown.map(cardItem));
    if (shown.length > 1) {
      card.prepend(el("p", { class: "card-note", text: shown.length + " techniques overlap here" }));
    }
    card.hidden = false;
    if (window.matchMedia("(max-width: 640px)").matches) {
      card.style.left = "";
      card.style.top = "";
      return; // docked at the bottom of the screen by CSS
    }
    const r = anchor.getBoundingClientRect();
    const width = card.offsetWidth;
    const left = Math.max(8, Math.min(r.left + window.scrollX,
                                      window.scrollX + document.documentElement.clientWidth - width - 8));
    card.style.left = left + "px";
    card.style.top = r.bottom + window.scrollY + 10 + "px";
  }

  function hideCard() {
    $("card").hidden = true;
    pinned = false;
  }

  function spanAt(layer) {
    return spans.find((s) => String(s.i) === layer.getAttribute("data-i"));
  }

  // all spans covering the point under a layer element: the layer and its ancestors
  function coveringAt(target) {
    const out = [];
    let node = target.closest(".hl");
    while (node && node.classList && node.classList.contains("hl")) {
      const s = spanAt(node);
      if (s && !hidden.has(s.label)) out.push(s);
      node = node.parentElement;
    }
    return out; // innermost first
  }

  function setActive(s, on) {
    if (!s) return;
    for (const e of s.els) e.classList.toggle("on", on);
  }

  function visibleHeads() {
    return spans.filter((s) => s.head && !hidden.has(s.label))
      .sort((a, b) => a.start - b.start || b.end - a.end)
      .map((s) => s.head);
  }

  function wireDoc() {
    const doc = $("doc");
    doc.addEventListener("mouseover", (ev) => {
      if (pinned) return;
      const list = coveringAt(ev.target);
      if (list.length) { showCard(list, ev.target.closest(".hl")); return; }
      const focused = document.activeElement;
      if (!dismissed && focused && focused.classList && focused.classList.contains("start") &&
          doc.contains(focused)) {
        showCard([spanAt(focused)], focused); // back to the highlight the keyboard is on
      } else {
        hideCard();
      }
    });
    doc.addEventListener("mouseleave", () => { if (!pinned && !doc.contains(document.activeElement)) hideCard(); });
    doc.addEventListener("focusin", (ev) => {
      const layer = ev.target.closest(".hl.start");
      if (!layer) return;
      const s = spanAt(layer);
      dismissed = false;
      setActive(s, true);
      layer.setAttribute("aria-describedby", "card");
      showCard([s], layer);
    });
    doc.addEventListener("focusout", (ev) => {
      const layer = ev.target.closest(".hl.start");
      if (layer) setActive(spanAt(layer), false);
      if (!pinned) hideCard();
    });
    doc.addEventListener("click", (ev) => {
      const list = coveringAt(ev.target);
      if (!list.length) { hideCard(); return; }
      const head = list[0].head;
      if (head && document.activeElement !== head) head.focus({ preventScroll: true });
      showCard(list, ev.target.closest(".hl"));
      pinned = true;
    });
    doc.addEventListener("keydown", (ev) => {
      const layer = ev.target.closest && ev.target.closest(".hl.start");
      if (!layer) return;
      const heads = visibleHeads();
      const at = heads.indexOf(layer);
      let to = null;
      if (ev.key === "ArrowRight" || ev.key === "ArrowDown") to = heads[Math.min(at + 1, heads.length - 1)];
      else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") to = heads[Math.max(at - 1, 0)];
      else if (ev.key === "Home") to = heads[0];
      else if (ev.key === "End") to = heads[heads.length - 1];
      else if (ev.key === "Escape") { hideCard(); dismissed = true; ev.preventDefault(); return; }
      else if (ev.key === "Enter" || ev.key === " ") {
        showCard(coveringAt(layer), layer);
        pinned = true;
        ev.preventDefault();
        return;
      } else return;
      ev.preventDefault();
      if (to) { to.focus(); to.scrollIntoView({ block: "nearest" }); }
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") { hideCard(); dismissed = true; }
    });
    document.addEventListener("click", (ev) => {
      if (!doc.contains(ev.target) && !$("card").contains(ev.target)) hideCard();
    });
  }

  // -- selecting a range (narrative evidence, claims) ---------------------------------------

  function selectRange(cpStart, cpEnd) {
    const r = toUnits(cpStart, cpEnd);
    if (!r) return;
    const [start, end] = r;
    const locate = (offset) => {
      let lo = 0, hi = textNodes.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (textNodes[mid].start <= offset) lo = mid; else hi = mid - 1;
      }
      const t = textNodes[lo];
      return [t.node, Math.min(offset - t.start, t.node.length)];
    };
    const range = document.createRange();
    const [sn, so] = locate(start);
    const [en, eo] = locate(end - 1);
    range.setStart(sn, so);
    range.setEnd(en, eo + 1);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    if (sn.parentElement) sn.parentElement.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function fragmentButton(start, end) {
    const r = toUnits(start, end);
    if (!r) return null;
    const b = el("button", { type: "button", class: "fragment",
                             text: quote(data.text.slice(r[0], r[1]), 200) });
    b.addEventListener("click", () => selectRange(start, end));
    return b;
  }

  // -- side panels ----------------------------------------------------------------------------

  function renderSummary(a) {
    const s = a.summary || {};
    const top = s.top_technique ? technique(s.top_technique).display : "none";
    const rows = [
      ["Words", s.words],
      ["Sentences", s.sentences],
      ["Technique spans", s.spans],
      ["Spans per 100 words", num(s.spans_per_100_words, 1)],
      ["Sentences with a technique", pct(s.sentence_share)],
      ["Text covered by techniques", pct(s.score)],
      ["Most frequent", top],
      ["Model", (a.model && a.model.name) + (a.model && a.model.version ? " " + a.model.version : "")],
    ];
    $("summary").replaceChildren(...rows.flatMap(([k, v]) =>
      [el("dt", { text: k }), el("dd", { text: v === undefined ? "–" : String(v) })]));
  }

  function renderLegend() {
    const counts = new Map();
    for (const s of spans) counts.set(s.label, (counts.get(s.label) || 0) + 1);
    const labels = Array.from(TECH.keys());
    for (const label of counts.keys()) if (!TECH.has(label)) labels.push(label);
    const items = labels.map((label) => {
      const t = technique(label);
      const n = counts.get(label) || 0;
      const b = el("button", { type: "button", class: "legend-item", "data-label": label,
                               "aria-pressed": String(!hidden.has(label)), disabled: n === 0,
                               title: t.definition || null },
        swatch(t),
        el("span", { class: "legend-name", text: t.display }),
        el("span", { class: "legend-count", text: String(n) }));
      b.addEventListener("click", () => {
        if (hidden.has(label)) hidden.delete(label); else hidden.add(label);
        applyFilter();
      });
      return el("li", {}, b);
    });
    const found = items.filter((li) => !li.querySelector("button").disabled);
    const absent = items.filter((li) => li.querySelector("button").disabled);
    $("legend").replaceChildren(...found);
    const rest = $("legend-absent");
    rest.hidden = !absent.length;
    rest.querySelector("summary").textContent = "Not found in this text (" + absent.length + ")";
    $("legend-absent-list").replaceChildren(...absent);
  }

  function applyFilter() {
    let shown = 0;
    for (const s of spans) {
      const off = hidden.has(s.label);
      for (const e of s.els) e.classList.toggle("off", off);
      if (s.head) s.head.setAttribute("tabindex", off ? "-1" : "0");
      if (!off) shown++;
    }
    for (const b of document.querySelectorAll(".legend-item")) {
      b.setAttribute("aria-pressed", String(!hidden.has(b.getAttribute("data-label"))));
    }
    $("legend-status").textContent = spans.length
      ? "Showing " + shown + " of " + spans.length + " highlights." : "";
    hideCard();
  }

  function renderNarratives(a) {
    const box = $("narratives-box");
    const list = Array.isArray(a.narratives) ? a.narratives : null;
    box.hidden = !list || !list.length;
    if (box.hidden) return;
    $("narratives").replaceChildren(...list.map((n) => el("li", { class: "narrative" },
      el("div", {}, el("strong", { text: String(n.label) }),
         el("span", { class: "score", text: " " + pct(n.score) })),
      ...(n.evidence || []).map((e) => fragmentButton(e.start, e.end)))));
  }

  function renderClaims(a) {
    const box = $("claims-box");
    const list = Array.isArray(a.claims) ? a.claims : null;
    box.hidden = !list || !list.length;
    if (box.hidden) return;
    $("claims").replaceChildren(...list.map((c) => el("li", { class: "claim" },
      fragmentButton(c.start, c.end),
      el("ul", { class: "matches" }, ...(c.matches || []).map((m) => {
        const href = httpUrl(m.url);
        const title = href
          ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: String(m.title || m.id) })
          : el("span", { text: String(m.title || m.id) });
        const debunkUrl = httpUrl(m.debunk);
        const debunk = !m.debunk ? null : debunkUrl
          ? el("a", { href: debunkUrl, target: "_blank", rel: "noopener noreferrer", text: "debunk" })
          : el("p", { class: "debunk", text: String(m.debunk) });
        const meta = [m.catalog, m.date, "similarity " + pct(m.similarity)].filter(Boolean).join(" · ");
        return el("li", {}, el("span", { class: "resembles", text: "resembles " }), title,
                  el("div", { class: "hint", text: meta }), debunk);
      })))));
  }

  function render(a) {
    data = a;
    units = unitMap(String(a.text));
    hidden.clear();
    hideCard();
    renderText(a);
    renderSummary(a);
    renderLegend();
    applyFilter();
    renderNarratives(a);
    renderClaims(a);
    const notice = $("notice");
    if (a.model && a.model.name === "none") {
      notice.textContent = "This server has no technique model installed, so no techniques are " +
        "marked. Sentences and the summary are still shown.";
      notice.hidden = false;
    } else if (!spans.length) {
      notice.textContent = "No technique found in this text at this threshold.";
      notice.hidden = false;
    } else {
      notice.hidden = true;
    }
    $("result-title").textContent = a.id ? "Analysis of “" + a.id + "”" : "Analysis";
    const stored = a.stored && typeof a.stored.permalink === "string" &&
      /^\/a\/[A-Za-z0-9_-]+$/.test(a.stored.permalink) ? a.stored.permalink : null;
    $("permalink").value = stored ? location.origin + stored : "";
    $("permalink").hidden = !stored;
    $("copy-btn").disabled = !stored;
    $("copy-btn").title = stored ? "" : "This server does not store analyses.";
    $("result").hidden = false;
    return stored;
  }

  // -- the form -------------------------------------------------------------------------------

  let file = null;

  function setFile(f) {
    file = f;
    $("file-chip").hidden = !f;
    $("file-name").textContent = f ? f.name + " (" + Math.ceil(f.size / 1024) + " kB)" : "";
    $("text").disabled = !!f;
    if (!f) $("file").value = "";
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  async function submit(ev) {
    ev.preventDefault();
    showError("");
    const id = $("article-id").value.trim();
    const thrRaw = $("threshold").value.trim();
    let body;
    const headers = { Accept: "application/json" };
    if (thrRaw && !(Number(thrRaw) >= 0 && Number(thrRaw) <= 1)) {
      showError("The threshold must be a number between 0 and 1.");
      return;
    }
    if (file) {
      if (file.size > boot.maxBody) {
        showError("This file is larger than the server accepts (" + boot.maxBody + " bytes).");
        return;
      }
      body = new FormData();
      body.append("file", file, file.name);
      if (id) body.append("id", id);
      if (thrRaw) body.append("threshold", thrRaw);
    } else {
      const text = $("text").value;
      if (!text.trim()) { showError("Paste some text first, or choose a file."); return; }
      const payload = { text: text, id: id };
      if (thrRaw) payload.threshold = Number(thrRaw);
      body = JSON.stringify(payload);
      if (new Blob([body]).size > boot.maxBody) {
        showError("This text is larger than the server accepts (" + boot.maxBody + " bytes).");
        return;
      }
      headers["Content-Type"] = "application/json";
    }
    const button = $("analyze-btn");
    button.disabled = true;
    $("status").textContent = "Analysing…";
    try {
      const res = await fetch("/v1/analyze", { method: "POST", headers: headers, body: body,
                                               credentials: "same-origin" });
      if (res.status === 401) { location.assign("/login?next=%2F"); return; }
      const json = await res.json().catch(() => null);
      if (!res.ok) {
        const msg = json && json.error ? json.error.message : "the server answered " + res.status;
        showError("Could not analyse this: " + msg);
        $("status").textContent = "";
        return;
      }
      const stored = render(json);
      $("input").hidden = true;
      if (stored) history.pushState({ stored: stored }, "", stored);
      $("status").textContent = "Analysis ready: " + spans.length + " technique spans.";
      $("result-title").focus();
    } catch (e) {
      showError("Could not reach the server (" + e.message + ").");
      $("status").textContent = "";
    } finally {
      button.disabled = false;
    }
  }

  function wireForm() {
    $("analyze-form").addEventListener("submit", submit);
    $("file").addEventListener("change", (ev) => setFile(ev.target.files[0] || null));
    $("file-clear").addEventListener("click", () => setFile(null));
    const drop = $("drop");
    drop.addEventListener("dragover", (ev) => { ev.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (ev) => {
      ev.preventDefault();
      drop.classList.remove("over");
      const f = ev.dataTransfer && ev.dataTransfer.files && ev.dataTransfer.files[0];
      if (f) setFile(f);
    });
    $("new-btn").addEventListener("click", () => {
      $("result").hidden = true;
      $("input").hidden = false;
      showError("");
      $("status").textContent = "";
      if (location.pathname !== "/") history.pushState({}, "", "/");
      $("text").focus();
    });
    $("download-btn").addEventListener("click", () => {
      if (!data) return;
      const name = String((data.stored && data.stored.id) || data.id || "analysis")
        .replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: "unspin-" + name + ".json" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
    $("copy-btn").addEventListener("click", async () => {
      const input = $("permalink");
      if (!input.value) return;
      try {
        await navigator.clipboard.writeText(input.value);
      } catch (e) {
        input.select();
        document.execCommand("copy");
      }
      $("status").textContent = "Permalink copied.";
    });
    $("legend-all").addEventListener("click", () => { hidden.clear(); applyFilter(); });
    $("legend-none").addEventListener("click", () => {
      for (const s of spans) hidden.add(s.label);
      applyFilter();
    });
    window.addEventListener("popstate", () => location.reload());
  }

  $("result-title").setAttribute("tabindex", "-1");
  wireDoc();
  wireForm();
  if (boot.analysis) render(boot.analysis);
  window.unspinUI = { render: render, get analysis() { return data; } }; // for tests and debugging
})();
