// Relaydesk agent console: plain browser JavaScript, no build step. Everything that comes from
// shoppers, agents or the database is inserted with textContent, never as HTML. The shared state, $ and
// api() come from console-session.js, loaded first.
"use strict";

function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined && options.text !== null) node.textContent = String(options.text);
  for (const [key, value] of Object.entries(options.data || {})) node.dataset[key] = String(value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

function time(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

// ---- login -----------------------------------------------------------------------------------
// The CSRF token is the session's, read from /api/auth/me: every tab of the browser (and a console
// opened from the analytics page or the editor) shares the session cookie and so the same token.
async function start() {
  try { state.me = await api("GET", "/api/auth/me"); } catch (_) { return showLogin(); }
  signedIn();
}

// A password left in the form signed the next person at this computer back in with one click (found by QA): the
// form is shown empty of it, and a sign-in takes it out as soon as it is read.
function showLogin() {
  $("app").hidden = true; $("not-for-role").hidden = true; $("login").hidden = false;
  $("login-password").value = "";
}

// Editors may sign in but the console's API refuses them: say where their work is instead.
const CONSOLE_ROLES = ["admin", "supervisor", "agent"];

function signedIn() {
  state.csrf = state.me.csrf_token || "";
  state.lastUserId = state.me.id;
  if (!CONSOLE_ROLES.includes(state.me.role)) return showNotForRole();
  showApp();
}

function showNotForRole() {
  $("login").hidden = true; $("app").hidden = true; $("not-for-role").hidden = false;
  $("not-for-role-who").textContent = `${state.me.name || state.me.email} (${state.me.role})`;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const password = $("login-password").value;
  $("login-password").value = "";
  try {
    await api("POST", "/api/auth/login", { email: $("login-email").value, password });
    const me = await api("GET", "/api/auth/me");
    // The page may still show the conversation and draft of whoever signed in here before: keep them only
    // for that same person.
    if (state.lastUserId !== null && me.id !== state.lastUserId) return location.reload();
    state.me = me;
    signedIn();
  } catch (error) { $("login-error").textContent = error.message; }
});

for (const id of ["logout", "not-for-role-logout"]) {
  $(id).addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } finally {
      if (state.socket) state.socket.close();
      location.reload();
    }
  });
}

function isSupervisor() { return ["admin", "supervisor"].includes(state.me.role); }

async function showApp() {
  $("login").hidden = true; $("app").hidden = false;
  $("me").textContent = `${state.me.name || state.me.email} (${state.me.role})`;
  $("team-section").hidden = !isSupervisor();
  $("analytics-link").hidden = !isSupervisor();
  // Admins act on conversations as supervisors do but take none: no status of their own to set.
  $("my-status-label").hidden = !state.me.takes_conversations;
  state.teams = await api("GET", "/api/teams");  // the transfer picker that refreshAgents fills lists them
  await refreshAgents();
  await refreshLists();
  if (state.openId !== null) await renderConversation();  // signed in again: what may be done now
  else await openFromAddress();  // a reload, a bookmark or a colleague's link
  connect();
}

// Statuses change elsewhere too (the agent in another tab, a supervisor): each change is read
// afresh, so the Agents panel, the transfer picker and this person's own Status box show what routing uses.
async function refreshAgents() {
  const agents = await api("GET", "/api/agents");
  const mine = agents.find((agent) => agent.id === state.me.id);
  if (mine) $("my-status").value = mine.status;
  if (isSupervisor()) renderAgents(agents);
  rememberAgents(agents);
}

// Supervisors set anyone's status: an agent who left without going offline keeps being given
// conversations nobody answers.
const STATUSES = ["online", "away", "offline"];
function renderAgents(agents) {
  replaceKeepingFocus($("agent-list"), "agentId", agents.map((agent) => {
    const select = el("select", { data: { agentId: agent.id } },
      STATUSES.map((status) => el("option", { text: status })));
    select.value = agent.status;
    select.setAttribute("aria-label", `Status of ${agent.name}`);
    select.addEventListener("change", async () => {
      await api("POST", `/api/agents/${agent.id}/status`, { status: select.value });
      await refreshAgents();
      await refreshLists();
    });
    return el("li", { data: { agentId: agent.id } }, [el("span", { text: `${agent.name} ` }), select]);
  }));
}

$("my-status").addEventListener("change", async () => {
  await api("POST", "/api/agents/me/status", { status: $("my-status").value });
  await refreshAgents();  // a supervisor's own row is in the Agents panel too
  await refreshLists();
});

// ---- lists -----------------------------------------------------------------------------------
function conversationItem(item) {
  const li = el("li", { data: { id: item.id, testid: "conversation-item" } }, [
    el("span", { className: `badge ${item.channel}`, text: item.channel }),
    item.priority >= 100 ? el("span", { className: "badge vip", text: "VIP" }) : null,
    el("strong", { text: `#${item.id} ${item.customer_name || ""}` }),
    el("span", { text: ` ${item.handoff_reason ? reasonLabel(item.handoff_reason) : ""}` }),
    el("div", { className: "meta", text: `${itemState(item)}${item.team ? " · " + item.team : ""}` }),
  ]);
  if (item.id === state.openId) li.classList.add("active");
  if (item.sla_breached) li.classList.add("breached");
  return activatable(li, () => openConversation(item.id));
}

// Conversations, alerts and suggestions are not buttons: without this they were reachable only by mouse.
function activatable(node, action) {
  node.tabIndex = 0;
  node.addEventListener("click", action);
  node.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();  // Space would otherwise scroll the page
    action();
  });
  return node;
}

// Lists are rebuilt on every live update: the entry that had the keyboard focus gets it back, or a keyboard
// user would be thrown back to the top of the page.
function replaceKeepingFocus(list, key, nodes) {
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  list.replaceChildren(...nodes);
  if (!focused) return;
  const again = [...list.querySelectorAll(focused.tagName)]
    .find((node) => node.dataset[key] === focused.dataset[key]);
  if (again) again.focus();
}

// Only a queued conversation is waiting; an assigned one says who has it; one found by a search may be
// resolved or with the bot.
function itemState(item) {
  if (item.status === "assigned") return `with ${agentName(item.assignee_id)}`;
  if (item.status === "queued") return `waiting since ${time(item.waiting_since)}`;
  return `${item.status} · ${time(item.updated_at)}`;
}

function agentName(id) { return state.agentNames.get(id) || `agent #${id}`; }

function fill(listId, countId, items) {
  const list = $(listId);
  replaceKeepingFocus(list, "id", items.map(conversationItem));
  if (countId) $(countId).textContent = String(items.length);
}

async function refreshLists() {
  const [queue, mine] = await Promise.all([api("GET", "/api/conversations?status=queued"),
    api("GET", "/api/conversations?status=assigned&mine=true")]);
  fill("queue-list", "queue-count", queue);
  fill("mine-list", "mine-count", mine);
  if (isSupervisor()) fill("assigned-list", null, await api("GET", "/api/conversations?status=assigned"));
}

// ---- finding conversations -------------------------------------------------------------------
// Resolved conversations and those back with the bot are in no list above: an agent following up a complaint
// or a low rating finds them by the customer's name, phone or a word of a message; an empty box lists the
// recently resolved ones.
$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = $("search-text").value.trim();
  const path = query ? `/api/conversations?q=${encodeURIComponent(query)}` : "/api/conversations?status=resolved";
  $("search-state").textContent = "";
  try {
    const found = await api("GET", path);
    fill("search-list", null, found);
    $("search-state").textContent = query ? `${found.length} found` : `${found.length} recently resolved`;
  } catch (error) {
    $("search-list").replaceChildren();
    $("search-state").textContent = error.message;
  }
});

// ---- the open conversation in the address ----------------------------------------------------------------
// "#conversation=12": a reload keeps the conversation open, and the customer card's links open the others.
const ADDRESS_PREFIX = "#conversation=";

function conversationAddress(id) { return `${ADDRESS_PREFIX}${id}`; }

function conversationInAddress() {
  if (!location.hash.startsWith(ADDRESS_PREFIX)) return null;
  const id = Number(location.hash.slice(ADDRESS_PREFIX.length));
  return Number.isInteger(id) && id > 0 ? id : null;
}

async function openFromAddress() {
  const id = conversationInAddress();
  if (id === null || id === state.openId) return;
  // A conversation that is gone (a stale bookmark) says so where actions fail, and the console goes on.
  try { await openConversation(id); } catch (error) { $("action-error").textContent = error.message; }
}

window.addEventListener("hashchange", () => { if (state.me && !$("app").hidden) openFromAddress(); });

// ---- one conversation ------------------------------------------------------------------------
// Why the bot handed a conversation over, in the agents' words (the API keeps the codes); the same
// words as handoff/reasons.py, which the analytics page uses.
const REASON_LABELS = { explicit_request: "asked for a person", frustration: "frustrated shopper",
  sensitive_topic: "sensitive topic", low_confidence: "bot not confident", no_articles: "bot had no answer",
  topic: "topic for people", vip: "VIP customer", bot_failure: "the bot failed on a message" };
// Reasons of transitions that are not hand-offs: a join closes a conversation without anyone resolving
// it, and an unmerge reopens it; read as codes, "Resolved · reason: joined" passed for a resolution.
const EVENT_REASON_LABELS = { joined: "joined into the shopper's other conversation",
  unjoined: "reopened by an unmerge", unmerged: "merge undone" };
function reasonLabel(code) { return REASON_LABELS[code] || EVENT_REASON_LABELS[code] || code; }

const EVENT_LABELS = { handoff: "Handed off", assigned: "Assigned", transferred: "Transferred",
  resolved: "Resolved", handback: "Handed back to the bot", sla_breach: "SLA breached",
  csat_requested: "Rating requested", csat_rated: "Rated" };

async function openConversation(id) {
  state.openId = id;
  // Replaced, not pushed: the lists are where one goes back to, not every conversation looked at.
  if (location.hash !== conversationAddress(id)) history.replaceState(null, "", conversationAddress(id));
  showDrafts();
  for (const li of document.querySelectorAll("ul.conversations li")) {
    li.classList.toggle("active", Number(li.dataset.id) === id);
  }
  $("conversation").hidden = false; $("customer-card").hidden = false;
  $("action-error").textContent = "";
  renderSuggestions();  // the knowledge base may be slow: whoever waits for the conversation does not wait for it
  await renderConversation();
}

async function renderConversation() {
  const id = state.openId;
  // Agents come again with the conversation: the transfer picker must show whether each one is online now.
  const [detail, messages, agents] = await Promise.all([api("GET", `/api/conversations/${id}`),
    api("GET", `/api/conversations/${id}/messages`), api("GET", "/api/agents")]);
  if (id !== state.openId) return;
  state.detail = detail;
  rememberAgents(agents);
  // Before the conversation shows: a canned answer picked at once came in the previous conversation's language.
  await loadCanned(detail.language || detail.customer.language);
  if (id !== state.openId) return;
  $("conversation-title").textContent = `Conversation #${detail.id} · ${detail.status}`;
  // replaceChildren would show a null child as the text "null": only real nodes go in.
  $("conversation-meta").replaceChildren(...[
    el("span", { className: `badge ${detail.channel}`, text: detail.channel }),
    el("span", { text: `team ${detail.team || "—"} · agent ${detail.assignee_name || "—"} · priority ${detail.priority}` }),
    detail.handoff_reason ? el("span", { className: "badge", text: `reason: ${reasonLabel(detail.handoff_reason)}` }) : null,
    detail.sla_breached ? el("span", { className: "badge failed", text: "SLA breached" }) : null,
  ].filter(Boolean));
  const mineNow = detail.status === "assigned" && detail.assignee_id === state.me.id;
  $("take").hidden = detail.status !== "queued" || !state.me.takes_conversations;
  // The API's rule (handoff/flows.py _ensure_owner): anyone may act on a queued conversation, only its
  // agent or a supervisor on an assigned one.
  const mayAct = detail.status === "queued" || (detail.status === "assigned" && (mineNow || isSupervisor()));
  $("resolve").hidden = $("handback").hidden = $("transfer").hidden = $("transfer-target").hidden = !mayAct;
  $("reply-form").hidden = !mineNow;
  renderTimeline(messages, detail.events);
  renderCard(detail.customer);
  renderNotes(detail.notes);
}

function renderTimeline(messages, events) {
  const entries = messages.map((m) => ({ at: m.created_at, node: messageNode(m) }))
    .concat(events.map((e) => ({ at: e.created_at, node: eventNode(e) })));
  entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const list = $("timeline");
  list.replaceChildren(...entries.map((entry) => entry.node));
  list.scrollTop = list.scrollHeight;
}

function messageNode(m) {
  const meta = el("div", { className: "meta" }, [
    el("span", { className: `badge ${m.channel}`, text: m.channel }),
    el("span", { text: `${m.author} · ${time(m.created_at)} · #${m.conversation_id} ` }),
    m.direction === "out" ? el("span", { className: `badge ${m.delivery_status}`, text: m.delivery_status,
      data: { testid: "delivery-status" } }) : null,
  ]);
  const body = el("div", { className: "text", text: m.pressed_label || m.text });  // a press reads as what was pressed
  const files = m.attachments.map(attachmentNode);
  const buttons = m.buttons.length ? el("div", { className: "meta",
    text: `buttons: ${m.buttons.flat().join(" | ")}` }) : null;
  return el("li", { className: `${m.direction} author-${m.author}`, data: { messageId: m.id, testid: "message" } },
    [meta, body, ...files, buttons]);
}

function attachmentNode(a) {
  const place = a.location;
  // Only numbers go into the link and its label, whatever the stored payload holds.
  if (place && Number.isFinite(place.latitude) && Number.isFinite(place.longitude)) {
    const map = new URL("https://www.openstreetmap.org/");
    map.searchParams.set("mlat", String(place.latitude));
    map.searchParams.set("mlon", String(place.longitude));
    const link = el("a", { text: `📍 ${place.latitude}, ${place.longitude}`, data: { testid: "location" } });
    link.href = map.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return el("div", { className: "attachment" }, [link]);
  }
  return el("div", { className: "attachment", text: `📎 ${a.kind || "file"} ${a.name || ""} (file id ${a.file_id})` });
}

// The timeline holds the customer's other conversations too: their transitions name the conversation, as
// their messages do, or another one's "Resolved" reads as this one's.
function eventNode(e) {
  const label = EVENT_LABELS[e.kind] || e.kind;
  const parts = [e.conversation_id === state.openId ? label : `#${e.conversation_id} ${label}`];
  if (e.reason) parts.push(`reason: ${reasonLabel(e.reason)}${e.data && e.data.into ? ` #${e.data.into}` : ""}`);
  if (e.data && e.data.team) parts.push(`team ${e.data.team}`);
  if (e.data && e.data.to_agent) parts.push(`to ${agentName(e.data.to_agent)}`);
  else if (e.data && e.data.to_team) parts.push(`to team ${e.data.to_team}`);
  if (e.data && e.data.score) parts.push(`score ${e.data.score}`);
  return el("li", { className: "marker", data: { testid: `event-${e.kind}` },
    text: `— ${parts.join(" · ")} · ${time(e.created_at)} —` });
}

function renderCard(c) {
  $("card-name").textContent = c.name || `Customer #${c.id}`;
  const facts = [["Phones", c.phones.join(", ")], ["E-mails", c.emails.join(", ")], ["Tags", c.tags.join(", ")],
    ["VIP", c.vip ? "yes" : "no"], ["Lifetime value", c.lifetime_value],
    ["Spent", Object.entries(c.spent_by_currency).map(([currency, total]) => `${total} ${currency}`).join(", ")],
    ["Segment", c.rfm_segment || "—"],
    ["Language", c.language || "—"]];
  $("card-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v || "—" })]));
  $("card-identities").replaceChildren(...c.identities.map((i) => el("li", {}, [
    el("span", { className: `badge ${i.channel}`, text: i.channel }),
    el("span", { text: `${i.display_name || ""} ${i.username ? "@" + i.username : ""} (${i.external_id})` })])));
  $("card-orders").replaceChildren(...c.orders.map((o) => el("li", {
    text: `${o.number} · ${o.status} · ${o.total} ${o.currency}${o.tracking ? " · " + o.tracking : ""}` })));
  $("card-conversations").replaceChildren(...c.conversations.map((v) => {
    const link = el("a", { data: { testid: "card-conversation" },
      text: `#${v.id} · ${v.status} · ${v.channel}${v.handoff_reason ? " · " + reasonLabel(v.handoff_reason) : ""}` +
        `${v.csat_score ? " · rated " + v.csat_score : ""}` });
    link.href = conversationAddress(v.id);  // opened by the hashchange listener
    return el("li", {}, [link]);
  }));
}

function renderNotes(notes) {
  $("notes").replaceChildren(...notes.map((n) => el("li", {
    text: `${n.author_name || "someone"} · ${time(n.created_at)}: ${n.text}` })));
}

async function renderSuggestions() {
  const id = state.openId;
  const found = await api("GET", `/api/conversations/${id}/suggestions`).catch(() => []);
  if (id !== state.openId) return;
  $("suggestions").replaceChildren(...found.map((s) => {
    const li = el("li", { text: s.title || s.text, data: { testid: "suggestion" } });
    return activatable(li, () => insertText(s.text));
  }));
}

function insertText(text) {
  const box = $("reply-text");
  setDraft(state.openId, "reply-text", box.value ? `${box.value}\n${text}` : text);
  box.focus();
}

// ---- drafts ----------------------------------------------------------------------------------
// Unsent text belongs to its conversation (found by QA: a reply and a note typed for one customer stayed in
// the boxes and were sent to the next conversation opened). Kept per conversation id for the page's lifetime;
// live re-renders never touch the boxes, so what is being typed stays.
const DRAFT_BOXES = ["reply-text", "note-text"];
const drafts = new Map();  // conversation id → { box id: text }

function setDraft(id, box, text) {
  drafts.set(id, { ...drafts.get(id), [box]: text });
  if (id === state.openId) $(box).value = text;
}

function showDrafts() {
  const draft = drafts.get(state.openId) || {};
  for (const box of DRAFT_BOXES) $(box).value = draft[box] || "";
}

for (const box of DRAFT_BOXES) $(box).addEventListener("input", () => setDraft(state.openId, box, $(box).value));

// ---- actions ---------------------------------------------------------------------------------
// Says whether it went through, as the error line may by then belong to another conversation opened meanwhile.
async function act(path, body) {
  $("action-error").textContent = "";
  try {
    await api("POST", `/api/conversations/${state.openId}/${path}`, body);
    await Promise.all([renderConversation(), refreshLists()]);
    return true;
  } catch (error) { $("action-error").textContent = error.message; return false; }
}

$("take").addEventListener("click", () => act("assign", {}));
$("resolve").addEventListener("click", () => act("resolve"));
$("handback").addEventListener("click", () => act("handback"));
$("transfer").addEventListener("click", () => {
  const target = $("transfer-target").value;
  const kind = target.slice(0, target.indexOf(":")), value = target.slice(target.indexOf(":") + 1);
  if (!target) return;
  act("transfer", kind === "team" ? { team: value } : { agent_id: Number(value) });
});
// A text form posts its text, then empties that conversation's draft unless the server refused it; the agent
// may have opened another conversation meanwhile, whose draft stays.
function textForm(formId, inputId, path) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = state.openId, text = $(inputId).value;
    if (!text.trim()) return;
    if (await act(path, { text })) setDraft(id, inputId, "");
  });
}
textForm("reply-form", "reply-text", "messages");
textForm("note-form", "note-text", "notes");
$("canned").addEventListener("change", () => {
  if ($("canned").value) insertText($("canned").value);
  $("canned").value = "";
});

function option(text, value) {
  const node = el("option", { text });
  node.value = value;
  return node;
}

// The agents as they are now: their names for the lists, and the transfer picker with each one's status
// (a transfer to someone away or offline is allowed, but whoever transfers should know). The choice
// already made in the picker stays.
function rememberAgents(agents) {
  state.agentNames = new Map(agents.map((agent) => [agent.id, agent.name]));
  const picker = $("transfer-target"), chosen = picker.value;
  picker.replaceChildren(option("Transfer to…", ""),
    ...state.teams.map((team) => option(`team ${team.name}`, `team:${team.name}`)),
    ...agents.filter((agent) => agent.id !== state.me.id)
      .map((agent) => option(`${agent.name} (${agent.status})`, `agent:${agent.id}`)));
  picker.value = chosen;
  if (picker.value !== chosen) picker.value = "";  // that agent is no longer listed
}

// Canned replies are in the open conversation's language (else the customer's, else the browser's), fetched
// again only when that language changes.
async function loadCanned(conversationLanguage) {
  // The API refuses a language it has no replies for: a browser in another language gets English.
  const browser = (navigator.language || "en").slice(0, 2);
  const language = conversationLanguage || (["uk", "ru", "en"].includes(browser) ? browser : "en");
  if (language === state.cannedLanguage) return;
  state.cannedLanguage = language;
  const entries = await api("GET", `/api/canned-responses?language=${encodeURIComponent(language)}`)
    .catch((error) => { state.cannedLanguage = null; throw error; });
  if (language !== state.cannedLanguage) return;  // another conversation was opened meanwhile
  $("canned").replaceChildren(option("Canned responses…", ""), ...entries.map((e) => option(e.title, e.text)));
}

// ---- live updates ----------------------------------------------------------------------------
// Events come in bursts and one refresh answers them all; whether any of them touched the open conversation is
// gathered until then, or its new message is lost when another conversation changes at the same moment.
function scheduleRefresh(conversationId) {
  clearTimeout(state.refreshTimer);
  state.openTouched = state.openTouched || touchesOpen(conversationId);
  state.refreshTimer = setTimeout(async () => {
    const openTouched = state.openTouched;
    state.openTouched = false;
    // The lists would be read with whatever session the browser holds: make sure it is still this person's.
    if (await checkSession() !== "mine") return;
    refreshLists();
    if (openTouched) renderConversation();
  }, 50);
}

// The open conversation's timeline shows the customer's other conversations too.
function touchesOpen(conversationId) {
  return state.openId !== null && (conversationId === state.openId ||
    (state.detail !== null && state.detail.customer.conversations.some((c) => c.id === conversationId)));
}

async function agentStatusChanged() {
  if (await checkSession() === "mine") refreshAgents();  // read as this person, as scheduleRefresh does
}

// Only the newest alerts are shown: a pile of them pushed the work off screen, and the breached conversations
// stay marked in the lists anyway.
const MAX_ALERTS = 5;

function alertBreach(event) {
  const line = el("div", { data: { testid: "sla-alert" },
    text: `SLA breached (${event.kind.replace("_", " ")}) in conversation #${event.conversation_id}` +
      `${event.team ? " · team " + event.team : ""}` });
  activatable(line, () => openAlert(line, event.conversation_id));
  const alerts = $("sla-alerts");
  alerts.prepend(line);
  while (alerts.children.length > MAX_ALERTS) alerts.lastElementChild.remove();
  alertsChanged();
}

// An opened alert goes away; the focus goes where the work goes on (the reply box, else the next alert), not to
// the page's start with the removed line.
async function openAlert(line, conversationId) {
  const next = line.nextElementSibling || line.previousElementSibling;
  line.remove();
  alertsChanged();
  await openConversation(conversationId);
  if (!$("reply-form").hidden) $("reply-text").focus();
  else if (next && next.isConnected) next.focus();
  else $("conversation-title").focus();
}

function alertsChanged() { $("dismiss-alerts").hidden = !$("sla-alerts").children.length; }

$("dismiss-alerts").addEventListener("click", () => { $("sla-alerts").replaceChildren(); alertsChanged(); });

// (Re)connected: what changed while the socket was down was never sent, the open conversation's messages too.
function caughtUp() {
  $("live-state").textContent = "live";
  refreshLists();
  refreshAgents();
  if (state.openId !== null) renderConversation();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/ws`);
  state.socket = socket;
  socket.addEventListener("open", () => { state.retry = 500; });
  socket.addEventListener("message", (message) => {
    const frame = JSON.parse(message.data);
    // "resync": the server's bus was down a while; what other processes did meanwhile never came.
    if (frame.topic === "hello" || frame.topic === "resync") { caughtUp(); return; }
    if (frame.topic === "agent.status") { agentStatusChanged(); return; }
    if (frame.topic === "sla.breached") alertBreach(frame.event);
    if (frame.event && frame.event.conversation_id !== undefined) scheduleRefresh(frame.event.conversation_id);
  });
  socket.addEventListener("close", (event) => {
    if (!state.me || state.otherAccount) return;  // signed out, or the browser's session is someone else's
    // The server closes with 4401 once this session is revoked (signed out everywhere, say): say so.
    if (event.code === 4401) { checkSession(); return; }
    $("live-state").textContent = "reconnecting";
    state.retry = Math.min(state.retry * 2, 10000);
    setTimeout(connect, state.retry);
  });
}

start();
