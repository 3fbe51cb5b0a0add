/// The status page at `/`: each camera's live view and state, the latest events with their
/// snapshots and movies, storage and health. Plain HTML, CSS and a little JavaScript served by
/// the binary; nothing from elsewhere. A `?token=` in the page's address is passed on to every
/// request it makes (for bearer-token users; basic-auth users are asked by the browser).
enum StatusPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil</title>
<style>
  :root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --muted: #667; --ok: #1a7f37; --warn: #b35900; --bad: #c62828; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e6e6; --bg: #111418; --card: #1b2027; --muted: #99a; } }
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: var(--bg); color: var(--fg); }
  header { padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 20px; margin: 0; }
  main { padding: 0 20px 20px; display: grid; gap: 16px; }
  .cameras { display: grid; gap: 16px; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
  .card { background: var(--card); border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  .card img.live { width: 100%; aspect-ratio: 4 / 3; object-fit: contain; background: #000; border-radius: 4px; }
  .state { font-weight: 600; text-transform: uppercase; font-size: 12px; padding: 2px 6px; border-radius: 4px; color: #fff; background: var(--muted); }
  .state.recording { background: var(--bad); } .state.idle { background: var(--ok); } .state.camera-lost { background: var(--warn); }
  .muted { color: var(--muted); font-size: 13px; }
  table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid rgba(127,127,127,.25); vertical-align: middle; }
  td img { height: 48px; border-radius: 3px; }
  button { font: inherit; padding: 3px 10px; }
  a { color: inherit; }
</style>
</head>
<body>
<header><h1>Vigil</h1><span id="health" class="muted">connecting…</span><span id="storage" class="muted"></span></header>
<main>
  <section class="cameras" id="cameras"></section>
  <section class="card"><h2 style="margin:0 0 8px;font-size:16px">Latest events</h2>
    <table><thead><tr><th>Snapshot</th><th>Event</th><th>Camera</th><th>Start</th><th>Length</th><th>Triggers</th><th>Movies</th></tr></thead>
    <tbody id="events"><tr><td colspan="7" class="muted">none yet</td></tr></tbody></table></section>
  <section class="card muted" id="errors"></section>
</main>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token");
const withToken = (url) => token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const bytes = (n) => n == null ? "?" : n >= 1e9 ? (n / 1e9).toFixed(1) + " GB" : n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : (n / 1e3).toFixed(0) + " kB";
const cards = new Map();

async function getJSON(url) {
  const response = await fetch(withToken(url), { cache: "no-store" });
  if (!response.ok) throw new Error(url + ": " + response.status);
  return response.json();
}

// The live view: the next snapshot is asked for as soon as one has loaded (Chrome shows an
// MJPEG stream's second-to-last frame, and snapshots keep no connection open).
function liveView(card, name) {
  const img = card.querySelector("img.live");
  let frames = 0;
  const next = () => { img.src = withToken("/cameras/" + encodeURIComponent(name) + "/snapshot.jpg?n=" + (frames++)); };
  img.addEventListener("load", () => { card.dataset.frames = String(frames); card.querySelector(".frames").textContent = frames + " frames shown"; setTimeout(next, 200); });
  img.addEventListener("error", () => setTimeout(next, 2000));
  next();
}

function camera(status) {
  let card = cards.get(status.name);
  if (!card) {
    card = document.createElement("article");
    card.className = "card camera";
    card.id = "camera-" + status.name;
    card.innerHTML = '<div style="display:flex;justify-content:space-between;align-items:center;margin-bottom:6px">' +
      '<strong>' + esc(status.name) + '</strong> <span class="state"></span></div>' +
      '<img class="live" alt="live view of ' + esc(status.name) + '">' +
      '<div class="muted details"></div><div class="muted"><span class="frames"></span> · ' +
      '<a class="stream" href="' + esc(withToken("/cameras/" + encodeURIComponent(status.name) + "/stream.mjpg")) + '">MJPEG stream</a> · ' +
      '<button class="trigger">Record 20 s</button></div>';
    card.querySelector(".trigger").addEventListener("click", () =>
      fetch(withToken("/api/v1/cameras/" + encodeURIComponent(status.name) + "/trigger"), { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"for":"20s"}' }).then(refresh));
    document.getElementById("cameras").append(card);
    cards.set(status.name, card);
    liveView(card, status.name);
  }
  const state = card.querySelector(".state");
  state.textContent = status.state;
  state.className = "state " + status.state;
  card.dataset.state = status.state;
  const parts = [];
  if (status.model) parts.push(status.model + " " + status.width + "×" + status.height + " at " + status.baud + " baud");
  parts.push(status.framesPerSecond.toFixed(2) + " frames/s", status.errors + " errors", status.reconnects + " reconnects", status.rereads + " re-reads");
  if (status.brightness != null) parts.push("brightness " + Math.round(status.brightness));
  if (status.lastError) parts.push("last error: " + status.lastError);
  card.querySelector(".details").textContent = parts.join(" · ");
}

async function refresh() {
  try {
    const status = await getJSON("/api/v1/status");
    status.cameras.forEach(camera);
    const ir = status.gpio && status.gpio["ir-led"] != null ? " · IR " + (status.gpio["ir-led"] ? "on" : "off") : "";
    document.getElementById("health").textContent = "up " + Math.round(status.uptimeSeconds || 0) + " s" + ir + (status.statusLED ? " · LED " + status.statusLED : "");
    if (status.storage) document.getElementById("storage").textContent = status.storage.events + " events, " + bytes(status.storage.usedBytes) + " used, " + bytes(status.storage.freeBytes) + " free";
    const errors = (status.recentErrors || []).slice(-5).concat(status.unavailable || []);
    document.getElementById("errors").innerHTML = errors.length ? "<strong>Recent errors</strong><br>" + errors.map(esc).join("<br>") : "No recent errors.";
    const events = await getJSON("/api/v1/events?limit=10");
    document.getElementById("events").innerHTML = events.length ? events.map((e) =>
      '<tr class="event" data-id="' + e.id + '"><td>' + (e.snapshotURL ? '<a href="' + esc(withToken(e.snapshotURL)) + '"><img src="' + esc(withToken(e.snapshotURL)) + '" alt=""></a>' : "") + "</td>" +
      "<td>" + e.id + (e.state === "recording" ? ' <span class="state recording">rec</span>' : "") + "</td><td>" + esc(e.camera) + "</td>" +
      "<td>" + esc(new Date(e.start).toLocaleString()) + "</td><td>" + (e.durationSeconds != null ? e.durationSeconds.toFixed(1) + " s" : "…") + "</td>" +
      "<td>" + esc(e.triggers.join(", ")) + "</td><td>" + e.movies.map((m, i) => m.finished ? '<a href="' + esc(withToken(m.url)) + '">movie ' + (i + 1) + "</a>" : "recording").join(" ") + "</td></tr>").join("")
      : '<tr><td colspan="7" class="muted">none yet</td></tr>';
  } catch (error) {
    document.getElementById("health").textContent = "cannot reach the node: " + error.message;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
"""#
}
