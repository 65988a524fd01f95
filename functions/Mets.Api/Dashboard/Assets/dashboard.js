// METS supervisors' dashboard. Everything shown comes from the METS API (/api/reports/outcomes, /api/queue,
// /api/engagements) with the caller's own credential, which the page keeps in sessionStorage for this tab only and
// sends as a header: an API key as x-functions-key (local host), an Entra ID access token as Authorization: Bearer
// (Azure). No figure is computed here: the page only draws the API's figures, as charts and as tables.
"use strict";

(function () {
  const storageKey = "mets.dashboard.credential";
  const svgNs = "http://www.w3.org/2000/svg";
  const apiBase = "/api";
  const el = (id) => document.getElementById(id);

  function credential() {
    try {
      const raw = sessionStorage.getItem(storageKey);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  function headers() {
    const c = credential();
    if (!c) return {};
    return c.kind === "bearer" ? { Authorization: "Bearer " + c.value } : { "x-functions-key": c.value };
  }

  async function api(path) {
    const response = await fetch(apiBase + path, { headers: Object.assign({ Accept: "application/json" }, headers()), credentials: "omit", cache: "no-store" });
    if (response.status === 401 || response.status === 403) {
      throw new Error("The API refused the credential (" + response.status + "). Sign in again.");
    }
    if (!response.ok) {
      let title = "The API answered " + response.status + ".";
      try {
        const problem = await response.json();
        if (problem && problem.title) title = problem.title + (problem.errors ? " " + Object.entries(problem.errors).map(([k, v]) => k + ": " + v.join(" ")).join("; ") : "");
      } catch { /* not JSON */ }
      throw new Error(title);
    }
    return response.json();
  }

  function iso(date) {
    return date.toISOString().slice(0, 10);
  }

  function node(tag, attributes, text) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes || {})) n.setAttribute(k, v);
    if (text !== undefined && text !== null) n.textContent = text;
    return n;
  }

  // A figure's cell text: the API's own display text, or "suppressed".
  function shown(figure) {
    if (!figure) return "n/a";
    if (figure.suppressed) return "suppressed";
    return figure.display === "" ? "n/a" : figure.display;
  }

  const units = { count: "", percent: "%", per1000MemberMonths: "per 1,000 member-months", dollars: "$", days: "days", percentile: "percentile" };

  function figureTable(caption, figures) {
    const table = node("table");
    table.appendChild(node("caption", {}, caption));
    const head = node("thead");
    const hr = node("tr");
    hr.appendChild(node("th", { scope: "col" }, "Figure"));
    hr.appendChild(node("th", { scope: "col" }, "Value"));
    hr.appendChild(node("th", { scope: "col" }, "Unit"));
    head.appendChild(hr);
    table.appendChild(head);
    const body = node("tbody");
    for (const f of figures) {
      const tr = node("tr");
      tr.appendChild(node("th", { scope: "row" }, f.label));
      tr.appendChild(node("td", { class: "num" + (f.suppressed ? " suppressed" : ""), "data-key": f.key }, shown(f)));
      tr.appendChild(node("td", {}, units[f.unit] || ""));
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  }

  // textColumns: the indexes of columns holding text (they wrap); the others hold numbers.
  function plainTable(caption, columns, rows, textColumns) {
    const table = node("table");
    table.appendChild(node("caption", {}, caption));
    const head = node("thead");
    const hr = node("tr");
    columns.forEach((c) => hr.appendChild(node("th", { scope: "col" }, c)));
    head.appendChild(hr);
    table.appendChild(head);
    const body = node("tbody");
    rows.forEach((row) => {
      const tr = node("tr");
      row.forEach((cell, i) => tr.appendChild(i === 0 ? node("th", { scope: "row" }, cell) : node("td", { class: textColumns && textColumns.includes(i) ? "text" : "num" }, cell)));
      body.appendChild(tr);
    });
    table.appendChild(body);
    return table;
  }

  // A bar chart (SVG) of one or two series over categories; a suppressed or missing value draws no bar and says so.
  // The chart is an image for assistive technology (role=img with a label); the table after it carries the numbers.
  function barChart(title, categories, series) {
    const width = 560, rowHeight = series.length * 16 + 10, left = 190, right = 70;
    const height = categories.length * rowHeight + 10;
    const values = series.flatMap((s) => s.figures.filter((f) => f && !f.suppressed && f.value !== null).map((f) => Math.abs(f.value)));
    const max = Math.max(1, ...values);
    const svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", title + " (chart; the table below has the figures)");
    categories.forEach((category, i) => {
      const y = 5 + i * rowHeight;
      const label = document.createElementNS(svgNs, "text");
      label.setAttribute("x", "0");
      label.setAttribute("y", String(y + rowHeight / 2));
      label.textContent = category;
      svg.appendChild(label);
      series.forEach((s, j) => {
        const f = s.figures[i];
        const by = y + j * 16;
        const text = document.createElementNS(svgNs, "text");
        if (f && !f.suppressed && f.value !== null) {
          const bar = document.createElementNS(svgNs, "rect");
          bar.setAttribute("x", String(left));
          bar.setAttribute("y", String(by));
          bar.setAttribute("height", "12");
          bar.setAttribute("width", String(Math.max(1, (Math.abs(f.value) / max) * (width - left - right))));
          bar.setAttribute("class", j === 0 ? "bar-a" : "bar-b");
          svg.appendChild(bar);
          text.setAttribute("x", String(left + 4 + (Math.abs(f.value) / max) * (width - left - right)));
        } else {
          text.setAttribute("x", String(left));
        }
        text.setAttribute("y", String(by + 10));
        text.textContent = shown(f);
        svg.appendChild(text);
      });
    });
    const figure = node("figure");
    figure.appendChild(svg);
    const caption = node("figcaption", { class: "legend" }, title);
    series.forEach((s, j) => caption.appendChild(node("span", { class: j === 0 ? "a" : "b" }, s.name)));
    figure.appendChild(caption);
    return figure;
  }

  function chartWithTable(container, title, categories, series) {
    container.appendChild(node("h3", {}, title));
    container.appendChild(barChart(title, categories, series));
    const table = node("table");
    table.appendChild(node("caption", {}, title + " (table)"));
    const head = node("thead");
    const hr = node("tr");
    hr.appendChild(node("th", { scope: "col" }, ""));
    series.forEach((s) => hr.appendChild(node("th", { scope: "col" }, s.name)));
    head.appendChild(hr);
    table.appendChild(head);
    const body = node("tbody");
    categories.forEach((c, i) => {
      const tr = node("tr");
      tr.appendChild(node("th", { scope: "row" }, c));
      series.forEach((s) => {
        const f = s.figures[i];
        tr.appendChild(node("td", { class: "num" + (f && f.suppressed ? " suppressed" : ""), "data-key": f ? f.key : "" }, shown(f)));
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    container.appendChild(table);
  }

  function clear(id) {
    const c = el(id);
    while (c.firstChild) c.removeChild(c.firstChild);
    return c;
  }

  function renderReport(report) {
    const all = {};
    report.sections.forEach((s) => s.figures.forEach((f) => { all[f.key] = f; }));
    const pick = (prefix) => Object.values(all).filter((f) => f.key.startsWith(prefix));
    el("method").textContent = report.method + " Claims complete through " + report.runOut.completeThrough +
      (report.runOut.incompleteMonths.length ? "; still in claims run-out: " + report.runOut.incompleteMonths.join(", ") + "." : ".") +
      " Counts below " + report.minimumCellCount + " are suppressed.";

    const funnel = clear("funnel");
    chartWithTable(funnel, "Funnel", ["Referrals", "Engagements started", "Engaged", "Active", "Closed"],
      [{ name: "Count", figures: ["funnel.referrals", "funnel.engagements", "funnel.engaged", "funnel.active", "funnel.closed"].map((k) => all[k]) }]);
    funnel.appendChild(figureTable("Referrals, engagement and closure (all figures)", pick("funnel.")));

    const trend = clear("trend");
    const months = [...new Set(pick("trend.").map((f) => f.key.split(".")[1]))].sort();
    chartWithTable(trend, "Trend by month the engagement started", months,
      [{ name: "Engagements started", figures: months.map((m) => all["trend." + m + ".engagements"]) },
       { name: "Engaged", figures: months.map((m) => all["trend." + m + ".engaged"]) }]);

    clear("timeliness").appendChild(figureTable("Timeliness", pick("timeliness.")));

    const prepost = clear("prepost");
    const rates = ["outpatientVisitsPer1000", "edVisitsPer1000", "admissionsPer1000", "inpatientDaysPer1000"];
    const rateNames = ["BH outpatient visits", "BH ED visits", "BH admissions", "BH inpatient days"];
    const groups = [["engaged", "Engaged members"], ["comparison", "Triggered but not engaged"]];
    const pair = node("div", { class: "pair" });
    prepost.appendChild(pair);
    groups.forEach(([g, name]) => {
      const box = node("div");
      pair.appendChild(box);
      chartWithTable(box, name + ": per 1,000 member-months, before and after", rateNames,
        [{ name: "Before", figures: rates.map((r) => all["utilization." + g + ".pre." + r]) },
         { name: "After", figures: rates.map((r) => all["utilization." + g + ".post." + r]) }]);
      chartWithTable(box, name + ": paid per member per month ($), before and after", ["BH paid PMPM", "Total paid PMPM"],
        [{ name: "Before", figures: ["bhPmpm", "totalPmpm"].map((r) => all["utilization." + g + ".pre." + r]) },
         { name: "After", figures: ["bhPmpm", "totalPmpm"].map((r) => all["utilization." + g + ".post." + r]) }]);
    });
    prepost.appendChild(figureTable("Utilization and spend (all figures; pre/post is not causal)", pick("utilization.")));

    const did = clear("did");
    did.appendChild(node("h3", {}, "Difference-in-differences"));
    did.appendChild(node("p", { id: "did-explanation" }, report.differenceInDifferences.explanation));
    did.appendChild(figureTable("Group sizes (members with both periods)", [
      Object.assign({}, report.differenceInDifferences.engagedMembers, { label: "Engaged group" }),
      Object.assign({}, report.differenceInDifferences.comparisonMembers, { label: "Comparison group" }),
      { key: "did.threshold", label: "Members each group needs", value: report.differenceInDifferences.threshold, display: String(report.differenceInDifferences.threshold), unit: "count", suppressed: false },
    ]));

    const gaps = clear("gaps");
    const measures = [...new Set(pick("careGaps.engaged.").filter((f) => f.key.endsWith(".closedPercent")).map((f) => f.key.split(".")[2]))];
    chartWithTable(gaps, "Care gaps closed by measure (%)", measures,
      [{ name: "Engaged", figures: measures.map((m) => all["careGaps.engaged." + m + ".closedPercent"]) },
       { name: "Triggered but not engaged", figures: measures.map((m) => all["careGaps.comparison." + m + ".closedPercent"]) }]);
    gaps.appendChild(figureTable("Care gaps reviewed and closed (all figures)", pick("careGaps.")));

    clear("mbc").appendChild(figureTable("Measurement-based care", pick("mbc.")));

    const targets = clear("targets");
    targets.appendChild(node("h3", {}, "Reference targets"));
    targets.appendChild(plainTable("The program's published figures: reference targets, not measurements of this report", ["Target", "Published figure", "This report", "Basis"],
      report.targets.map((t) => [t.label + " (" + t.labelled + ")", String(t.target), t.measured ? shown(t.measured) : "n/a", t.basis]), [3]));
  }

  function renderWork(queue, engagements) {
    const byClinician = {};
    queue.items.forEach((item) => {
      const who = item.clinician || item.owner || "unassigned";
      byClinician[who] = byClinician[who] || { dueSoon: 0, overdue: 0, escalated: 0 };
      if (byClinician[who][item.bucket] !== undefined) byClinician[who][item.bucket]++;
    });
    const clinicians = Object.keys(byClinician).sort();
    const work = clear("work-by-clinician");
    work.appendChild(plainTable("Overdue and escalated work by clinician", ["Clinician", "Due soon", "Overdue", "Escalated"],
      clinicians.length ? clinicians.map((c) => [c, String(byClinician[c].dueSoon), String(byClinician[c].overdue), String(byClinician[c].escalated)]) : [["none", "0", "0", "0"]]));
    const bySteps = {};
    engagements.forEach((e) => { bySteps[e.step] = (bySteps[e.step] || 0) + 1; });
    const steps = ["received", "assessment", "review", "closureReview"];
    const box = clear("engagements-by-step");
    chartWithTable(box, "Open engagements by step", steps,
      [{ name: "Open engagements", figures: steps.map((s) => ({ key: "open." + s, value: bySteps[s] || 0, display: String(bySteps[s] || 0), suppressed: false })) }]);
  }

  async function load() {
    const from = el("from").value, to = el("to").value;
    const status = el("load-status");
    if (!credential()) {
      status.textContent = "Sign in first.";
      return;
    }
    status.textContent = "Loading...";
    try {
      const query = "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
      const [report, queue, engagements] = await Promise.all([
        api("/reports/outcomes" + query), api("/queue?view=supervisor"), api("/engagements")]);
      renderReport(report);
      renderWork(queue, engagements);
      el("csv").setAttribute("href", "#");
      document.body.setAttribute("data-loaded", from + ".." + to);
      status.textContent = "Showing engagements started " + from + " through " + to + ", as of " + report.asOf + ".";
    } catch (error) {
      status.textContent = error.message;
    }
  }

  async function downloadCsv(event) {
    event.preventDefault();
    const status = el("load-status");
    try {
      const query = "?from=" + encodeURIComponent(el("from").value) + "&to=" + encodeURIComponent(el("to").value) + "&format=csv";
      const response = await fetch(apiBase + "/reports/outcomes" + query, { headers: headers(), credentials: "omit", cache: "no-store" });
      if (!response.ok) throw new Error("The API answered " + response.status + ".");
      const url = URL.createObjectURL(await response.blob());
      const a = node("a", { href: url, download: "mets-outcomes.csv" });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      status.textContent = error.message;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const today = new Date();
    const start = new Date(Date.UTC(today.getUTCFullYear() - 1, today.getUTCMonth(), 1));
    const params = new URLSearchParams(window.location.search);
    el("from").value = params.get("from") || iso(start);
    el("to").value = params.get("to") || iso(today);
    el("credentials").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(storageKey, JSON.stringify({ kind: el("credential-kind").value, value: el("credential-value").value }));
      el("credential-value").value = "";
      el("signin-status").textContent = "Signed in for this browser tab.";
      load();
    });
    el("sign-out").addEventListener("click", () => {
      sessionStorage.removeItem(storageKey);
      el("signin-status").textContent = "Signed out.";
    });
    el("period").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    el("csv").addEventListener("click", downloadCsv);
    if (credential()) {
      el("signin-status").textContent = "Signed in for this browser tab.";
      load();
    }
  });
})();
