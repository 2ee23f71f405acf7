// capcoop dashboard: five pages over the JSON API. Nothing is computed here beyond unit scaling
// for charts; every figure comes from /api/... (the same services as the CLI).
"use strict";

const I18N = window.CAPCOOP_I18N;
const state = {
  lang: localStorage.getItem("capcoop.lang") || "en",
  loaded: {},
};
const PAGES = ["overview", "partners", "opportunities", "supply", "supplies"];
const ASEAN_FALLBACK = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"];

function t(key) {
  return (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
}

function $(sel) { return document.querySelector(sel); }

function applyLabels() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("#lang-toggle").textContent = state.lang === "zh" ? "English" : "中文";
}

// --- the API ---------------------------------------------------------------------------------

async function api(path, params) {
  const query = new URLSearchParams();
  Object.entries(params || {}).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== "") query.set(k, v);
  });
  const url = "/api/" + path + (query.toString() ? "?" + query.toString() : "");
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body;
  try { body = await response.json(); } catch (e) { throw new Error(url + ": " + response.status); }
  if (!body.ok) {
    const err = body.error || {};
    throw new Error([err.message, err.hint].filter(Boolean).join(" — ") || String(body.status));
  }
  return body;
}

function showError(error) {
  const box = $("#error");
  box.textContent = t("error") + ": " + (error && error.message ? error.message : error);
  box.hidden = false;
}

function clearError() { $("#error").hidden = true; }

function formParams(form) {
  const params = {};
  new FormData(form).forEach((v, k) => { params[k] = String(v).trim(); });
  return params;
}

// --- rendering helpers -------------------------------------------------------------------------

function fmt(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "";
    if (Math.abs(value) >= 1e9) return (value / 1e9).toLocaleString(undefined, { maximumFractionDigits: 1 }) + " bn";
    if (Math.abs(value) >= 1e6) return (value / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 }) + " mn";
    if (Number.isInteger(value)) return value.toLocaleString();
    return value.toLocaleString(undefined, { maximumFractionDigits: 3 });
  }
  if (Array.isArray(value)) return value.map(fmt).join(", ");
  if (typeof value === "object") return Object.keys(value).join(", ");
  return String(value);
}

function renderTable(table, rows, columns) {
  table.innerHTML = "";
  if (!rows || !rows.length) {
    table.innerHTML = "<tbody><tr><td>" + t("no_rows") + "</td></tr></tbody>";
    return;
  }
  const cols = columns || Object.keys(rows[0]).filter((k) => {
    const v = rows[0][k];
    return v === null || typeof v !== "object" || Array.isArray(v);
  }).filter((k) => !["warehouse", "members"].includes(k));
  const head = document.createElement("thead");
  head.innerHTML = "<tr>" + cols.map((c) => "<th>" + c + "</th>").join("") + "</tr>";
  const body = document.createElement("tbody");
  rows.forEach((row) => {
    const tr = document.createElement("tr");
    cols.forEach((c) => {
      const td = document.createElement("td");
      td.textContent = fmt(row[c]);
      if (typeof row[c] === "number") td.className = "num";
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  table.appendChild(head);
  table.appendChild(body);
}

function notes(el, meta) {
  const list = (meta && meta.notes) || [];
  el.innerHTML = "";
  list.forEach((n) => {
    const p = document.createElement("p");
    p.textContent = n;
    el.appendChild(p);
  });
}

const PLOT_CONFIG = { displaylogo: false, responsive: true };

function plot(el, traces, layout) {
  el.classList.add("drawn");  // visible before drawing, so Plotly measures the real width
  Plotly.react(el, traces, Object.assign({
    margin: { t: 40, r: 10, b: 60, l: 60 }, height: 360, legend: { orientation: "h" },
    font: { family: "system-ui, 'WenQuanYi Micro Hei', sans-serif" },
  }, layout), PLOT_CONFIG);
}

async function run(page, task) {
  clearError();
  const section = $("#page-" + page);
  section.dataset.state = "loading";
  try {
    await task();
    section.dataset.state = "ready";
  } catch (error) {
    section.dataset.state = "error";
    showError(error);
  }
}

// --- pages -------------------------------------------------------------------------------------

async function overview() {
  const p = formParams($("#overview-form"));
  const year = Number(p.year);
  const [head, mon, history] = await Promise.all([
    api("headlines", { reporter: p.reporter, partner: p.partner, year, lang: state.lang }),
    api("monitor", { reporter: p.reporter, partner: p.partner, year }),
    api("partners/history", { reporter: p.reporter, first: year - 10, last: year,
                              blocs: p.partner.length > 3 ? p.partner : undefined, top: 50 }),
  ]);
  const box = $("#headlines");
  box.innerHTML = "";
  (head.data.statements || [{ text: head.data.text }]).forEach((s) => {
    const para = document.createElement("p");
    para.textContent = s.text;
    box.appendChild(para);
  });
  const code = mon.data.partner;
  const years = [], exp = [], imp = [];
  history.data.forEach((y) => {
    const row = y.partners.find((r) => r.partner === code);
    if (row) { years.push(y.year); exp.push(row.exports_usd / 1e9); imp.push(row.imports_usd / 1e9); }
  });
  plot($("#trend-chart"), [
    { type: "bar", name: t("exports"), x: years, y: exp },
    { type: "bar", name: t("imports"), x: years, y: imp },
  ], { barmode: "stack", title: { text: t("trend") + " — " + mon.data.reporter_name + " / " + mon.data.partner_name } });
  const d = mon.data;
  renderTable($("#monitor-table"), [{
    period: d.period, exports_usd: d.exports_usd, imports_usd: d.imports_usd, total_usd: d.total_usd,
    balance_usd: d.balance_usd, total_yoy_pct: d.total_yoy_pct,
    share_of_reporter_total_pct: d.share_of_reporter_total_pct, partner_rank: d.partner_rank,
    source: d.source,
  }]);
}

async function partners() {
  const p = formParams($("#partners-form"));
  const year = Number(p.year);
  const top = Number(p.top) || 10;
  const [ranking, history] = await Promise.all([
    api("partners", { reporter: p.reporter, year, blocs: p.blocs, top }),
    api("partners/history", { reporter: p.reporter, first: year - 10, last: year, blocs: p.blocs, top: 5 }),
  ]);
  const rows = ranking.data;
  plot($("#partners-chart"), [{
    type: "bar", orientation: "h", y: rows.map((r) => r.partner_name || r.partner).reverse(),
    x: rows.map((r) => r.total_usd / 1e9).reverse(), name: t("total"),
    text: rows.map((r) => (r.share_pct || 0).toFixed(1) + "%").reverse(), textposition: "auto",
  }], { title: { text: t("ranking") + " (" + ranking.meta.period + ")" }, margin: { l: 140, t: 40, r: 10, b: 40 } });
  const names = {};
  history.data.forEach((y) => y.partners.forEach((r) => { names[r.partner] = r.partner_name || r.partner; }));
  const traces = Object.keys(names).map((code) => ({
    type: "scatter", mode: "lines+markers", name: names[code],
    x: history.data.map((y) => y.year),
    y: history.data.map((y) => { const r = y.partners.find((q) => q.partner === code); return r ? r.rank : null; }),
  }));
  plot($("#streak-chart"), traces, { title: { text: t("rank_history") }, yaxis: { autorange: "reversed", dtick: 1, title: { text: t("rank") } } });
  renderTable($("#partners-table"), rows, ["rank", "partner", "partner_name", "total_usd", "exports_usd", "imports_usd", "share_pct", "yoy_pct"]);
}

async function ensureOpportunityChoices() {
  if ($("#host-select").options.length) return;
  let members = ASEAN_FALLBACK;
  try {
    const bloc = await api("codes/blocs/ASEAN", {});
    const rows = Array.isArray(bloc.data) ? bloc.data : (bloc.data.members || []);
    const codes = rows.filter((m) => !m.left).map((m) => m.iso3 || m.code || m);
    if (codes.length) members = codes;
  } catch (e) { /* the fixed list of members is enough to choose from */ }
  const select = $("#host-select");
  members.forEach((code) => select.add(new Option(code, code)));
  select.value = members.includes("VNM") ? "VNM" : members[0];
  const grid = $("#host-grid");
  members.forEach((code) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = code;
    b.dataset.host = code;
    b.addEventListener("click", () => {
      select.value = code;
      run("opportunities", opportunities);
    });
    grid.appendChild(b);
  });
  try {
    const scenarios = await api("opportunities/scenarios", {});
    scenarios.data.forEach((s) => $("#scenario-select").add(new Option(s.name, s.name)));
  } catch (e) {
    $("#scenario-select").add(new Option("balanced", "balanced"));
  }
}

async function opportunities() {
  await ensureOpportunityChoices();
  const p = formParams($("#opportunities-form"));
  document.querySelectorAll("#host-grid button").forEach((b) => b.classList.toggle("active", b.dataset.host === p.host));
  const result = await api("opportunities", { provider: p.provider, host: p.host, level: "sector",
                                              scenario: p.scenario, top: Number(p.top) || 10 });
  const rows = result.data;
  const components = rows.length ? Object.keys(rows[0].components || {}) : [];
  const short = (name) => (name.length > 36 ? name.slice(0, 35) + "…" : name);
  const labels = rows.map((r) => r.rank + ". " + short(r.name)).reverse();
  plot($("#opportunities-chart"), components.map((c) => ({
    type: "bar", orientation: "h", name: c, y: labels,
    x: rows.map((r) => r.components[c].contribution).reverse(),
  })), { barmode: "relative", title: { text: t("score_components") + " — " + p.host }, height: 120 + 32 * rows.length,
         margin: { l: 260, t: 40, r: 10, b: 40 } });
  renderTable($("#opportunities-table"), rows.map((r) => ({
    rank: r.rank, code: r.code, name: r.name, score: r.score, tags: (r.tags || []).join(", "),
  })));
}

async function dependencies() {
  const p = formParams($("#dependencies-form"));
  const result = await api("dependencies", { importer: p.importer, products: p.products, year: p.year });
  notes($("#dependencies-notes"), result.meta);
  renderTable($("#dependencies-table"), result.data, ["rank", "product", "description", "imports_usd",
    "suppliers", "hhi", "top_supplier", "top_share", "substitutability", "eu_dependent", "eu_critical",
    "cepii_dependent"]);
}

async function disruption() {
  const p = formParams($("#disruption-form"));
  const result = await api("disruption", { exporter: p.exporter, products: p.products,
                                           cut: Number(p.cut) / 100, importers: p.importers });
  notes($("#disruption-notes"), result.meta);
  const rows = result.data;
  const who = rows.map((r) => r.name || r.importer);
  plot($("#disruption-chart"), [
    { type: "bar", name: t("direct_loss"), x: who, y: rows.map((r) => r.direct_loss_usd) },
    { type: "bar", name: t("replaced"), x: who, y: rows.map((r) => r.replacement_usd) },
    { type: "bar", name: t("net_shortfall"), x: who, y: rows.map((r) => r.net_shortfall_usd) },
  ], { barmode: "group", title: { text: t("supply_loss") } });
  renderTable($("#disruption-table"), rows, ["rank", "importer", "name", "from_exporter_usd",
    "direct_loss_usd", "replacement_usd", "net_shortfall_usd", "replaced_pct"]);
}

async function shock() {
  const p = formParams($("#shock-form"));
  const result = await api("io/shock", { table: p.table, year: p.year, region: p.region, sector: p.sector,
                                         cut: Number(p.cut) / 100, weeks: p.weeks });
  const regions = result.meta.regions.slice(0, 12);
  const names = regions.map((r) => r.region_name || r.region);
  plot($("#shock-chart"), [
    { type: "bar", name: t("static_loss"), x: names, y: regions.map((r) => r.static_loss) },
    { type: "bar", name: t("ario_loss"), x: names, y: regions.map((r) => r.ario_loss) },
  ], { barmode: "group", yaxis: { type: "log" }, margin: { t: 70, r: 10, b: 120, l: 60 },
       legend: { orientation: "h", y: 1.12 },
       title: { text: t("shock_chart") + " — " + p.region + " " + p.sector + ", " + p.cut + "%, " + p.weeks } });
  renderTable($("#shock-table"), result.data.slice(0, 15), ["region", "sector", "sector_name", "shocked",
    "baseline_output", "static_loss", "ario_loss", "ario_loss_share"]);
}

async function coverage() {
  const p = formParams($("#coverage-form"));
  const result = await api("supplies/coverage", { region: p.region });
  const rows = result.data;
  plot($("#coverage-chart"), [{
    type: "bar", x: rows.map((r) => r.name || r.country), y: rows.map((r) => r.doses_delivered_per100),
    name: t("coverage"),
  }], { title: { text: t("coverage") } });
  renderTable($("#coverage-table"), rows, ["country", "name", "date", "doses_secured", "doses_delivered",
    "doses_donated", "people_fully_vaccinated", "doses_delivered_per100", "people_fully_vaccinated_per100"]);
}

async function allocate() {
  const p = formParams($("#allocate-form"));
  const result = await api("supplies/allocate", { doses: Number(p.doses), region: p.region, method: p.method });
  notes($("#allocate-notes"), result.meta);
  const rows = result.data;
  plot($("#allocate-chart"), [{
    type: "bar", x: rows.map((r) => r.name || r.recipient), y: rows.map((r) => r.doses), name: t("allocated"),
  }], { title: { text: t("allocated") } });
  renderTable($("#allocate-table"), rows, ["recipient", "name", "doses", "share_pct", "population",
    "fully_vaccinated_per100", "fully_vaccinated_per100_after", "capacity", "date"]);
}

const LOADERS = {
  overview: () => run("overview", overview),
  partners: () => run("partners", partners),
  opportunities: () => run("opportunities", opportunities),
  supply: () => run("supply", async () => { await dependencies(); await disruption(); await shock(); }),
  supplies: () => run("supplies", async () => { await coverage(); await allocate(); }),
};

// --- navigation and start-up -------------------------------------------------------------------

function show(page) {
  if (!PAGES.includes(page)) page = "overview";
  PAGES.forEach((name) => {
    $("#page-" + name).hidden = name !== page;
    const link = document.querySelector('#nav a[data-page="' + name + '"]');
    link.classList.toggle("active", name === page);
  });
  if (!state.loaded[page]) {
    state.loaded[page] = true;
    LOADERS[page]();
  }
}

function currentPage() { return (location.hash || "#overview").slice(1); }

function bind(formId, page, task) {
  $(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    run(page, task);
  });
}

async function start() {
  applyLabels();
  bind("#overview-form", "overview", overview);
  bind("#partners-form", "partners", partners);
  bind("#opportunities-form", "opportunities", opportunities);
  bind("#dependencies-form", "supply", dependencies);
  bind("#disruption-form", "supply", disruption);
  bind("#shock-form", "supply", shock);
  bind("#coverage-form", "supplies", coverage);
  bind("#allocate-form", "supplies", allocate);
  $("#host-select").addEventListener("change", () => run("opportunities", opportunities));
  $("#lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("capcoop.lang", state.lang);
    applyLabels();
    state.loaded = {};
    show(currentPage());
  });
  window.addEventListener("hashchange", () => show(currentPage()));
  try {
    const health = await api("health", {});
    $("#warehouse").textContent = t("warehouse") + ": " + health.data.warehouse_kind;
    $("#warehouse").title = health.data.warehouse;
  } catch (error) {
    showError(error);
  }
  show(currentPage());
}

start();
