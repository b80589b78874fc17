// The knowledge-base editor. Every element is built with textContent / text nodes: nothing typed by an
// editor or a shopper is ever parsed as HTML.
"use strict";

const LANGS = ["uk", "ru", "en"];
const WRITERS = ["admin", "editor"];
const state = {
  csrf: "",         // the session's CSRF token, read from /api/auth/me (shared by every tab)
  me: null,
  article: null,     // the article as last loaded from the API (null: a new one)
  variants: {},      // language -> {title, answer, questions}
  lang: "uk",
  group: null,       // the inbox group a new article is made from: {group, lang}
  saved: "",         // the form as last loaded or saved (formSnapshot), to tell unsaved edits
  listRequest: 0,    // the latest article-list request: only its answer is drawn
  otherAccount: null, // who signed in in this browser since this tab did (then this tab sends nothing)
  conflict: null,    // a save or action refused because someone saved meanwhile: {current, saved, kind}
                     // (the article now, by whom, and what was refused: SAVE_CONFLICT or actionConflict(...))
};

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return node;
}

// A refusal made up here, answered like one from the server, so every caller shows it the same way.
function refused(detail) {
  return { ok: false, status: 0, data: { detail } };
}

async function api(method, path, body, retried = false) {
  // The browser's session is someone else's now: a write would be done in their name.
  if (state.otherAccount && !path.startsWith("/api/auth/")) return refused(anotherAccountText());
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return refused(method === "GET" ? "Could not reach the server." : "Could not reach the server; nothing was saved.");
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401) showLogin();
  // Another tab signed out and in again, so this tab's CSRF token is gone: see whose session it is now.
  if (response.status === 403 && !retried && method !== "GET" && /CSRF/.test((data && data.detail) || "")) {
    const holder = await checkSession();
    if (holder === "mine") return api(method, path, body, true);
    if (holder === "other") return refused(anotherAccountText());
  }
  return { ok: response.ok, status: response.status, data };
}

// Each problem once: the server's detail is usually the problems joined into one line, so it is shown
// only when it says more than the list.
function problemText(result) {
  const data = result.data || {};
  const problems = (data.extra || []).filter((p) => p && p.field).map((p) => `${p.field}: ${p.error}`);
  const detail = data.detail || `Request failed (${result.status})`;
  if (!problems.length) return detail;
  const lines = problems.map((line) => `• ${line}`);
  if (detail !== problems.join("; ") && !problems.includes(detail)) lines.unshift(detail);
  return lines.join("\n");
}

function say(text, ok = false) {
  $("form-error").textContent = ok ? "" : text;
  $("form-status").textContent = ok ? text : "";
}

// --- sign-in -----------------------------------------------------------------------------------

function showLogin() {
  // Whoever sits at this browser next must type the password: it is never left in the form.
  $("login-password").value = "";
  $("login-view").hidden = false;
  $("articles-view").hidden = true;
  $("inbox-view").hidden = true;
  $("nav").hidden = true;
}

// --- another account in this browser ----------------------------------------------------------

function who(user) { return user.name || user.email; }

// "mine" (the CSRF token is taken again), "other" (someone else signed in: said so) or "unknown".
async function checkSession() {
  const me = await api("GET", "/api/auth/me");
  if (!me.ok || !state.me) return "unknown";
  if (me.data.id !== state.me.id) {
    anotherAccount(me.data);
    return "other";
  }
  state.csrf = me.data.csrf_token || "";
  return "mine";
}

function anotherAccountText() {
  const other = state.otherAccount;
  return `Another account (${who(other)}, ${other.email}) signed in in this browser. Nothing was saved; ` +
    `this tab is still ${who(state.me)}'s and keeps what you typed. Sign in again to go on.`;
}

// Reloading would make this tab the other person's and lose the form: offer to sign in again instead.
function anotherAccount(other) {
  state.otherAccount = other;
  $("account-switched-text").textContent = anotherAccountText();
  $("account-sign-in-again").textContent = `Sign in again as ${who(state.me)}`;
  $("account-switched").hidden = false;
}

$("account-sign-in-again").addEventListener("click", () => {
  const email = state.me.email;
  state.otherAccount = null;
  $("account-switched").hidden = true;
  showLogin();
  $("login-error").textContent = `Sign in as ${email} to go on where you were; the form is kept.`;
  $("login-email").value = email;
  $("login-password").focus();
});

async function start() {
  const me = await api("GET", "/api/auth/me");
  if (!me.ok) return showLogin();
  state.me = me.data;
  state.csrf = me.data.csrf_token || "";
  $("whoami").textContent = `${state.me.name || state.me.email} (${state.me.role})`;
  $("login-view").hidden = true;
  $("nav").hidden = false;
  const canWrite = WRITERS.includes(state.me.role);
  for (const id of ["save", "publish", "unpublish", "delete", "new-article"]) $(id).disabled = !canWrite;
  showArticles();
  refreshInboxCount();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = await api("POST", "/api/auth/login", {
    email: $("login-email").value, password: $("login-password").value,
  });
  $("login-password").value = ""; // used once, right or wrong: it must not stay in the page
  if (!result.ok) {
    $("login-error").textContent = "Wrong e-mail or password.";
    return;
  }
  $("login-error").textContent = "";
  start();
});

$("logout").addEventListener("click", async () => {
  if (!discardOk()) return;
  await api("POST", "/api/auth/logout");
  state.csrf = "";
  closeForm(); // the edits were given up, and the next person signing in starts from the list
  showLogin();
});

// --- article list ------------------------------------------------------------------------------

function showArticles() {
  $("articles-view").hidden = false;
  $("inbox-view").hidden = true;
  $("show-articles").classList.add("active");
  $("show-inbox").classList.remove("active");
  loadList();
}

async function loadList() {
  // One request per keystroke: an older query's answer arriving last must not be drawn.
  const request = ++state.listRequest;
  const params = new URLSearchParams();
  if ($("article-search").value.trim()) params.set("q", $("article-search").value.trim());
  if ($("status-filter").value) params.set("status", $("status-filter").value);
  const result = await api("GET", `/api/articles?${params}`);
  if (!result.ok || request !== state.listRequest) return;
  const list = $("article-list");
  list.replaceChildren();
  for (const article of result.data) {
    const badges = [el("span", { class: `badge ${article.status}` }, article.status)];
    if (article.stale_languages.length) {
      badges.push(el("span", { class: "badge stale" }, `stale: ${article.stale_languages.join(", ")}`));
    }
    // A real button, so the keyboard reaches it with Tab and opens it with Enter or Space.
    const item = el("li", { "data-slug": article.slug }, el("button", {
      type: "button", class: "open-article", onclick: () => discardOk() && openFromList(article.slug),
    }, el("span", {}, article.title, ...badges), el("span", { class: "slug" }, article.slug)));
    if (state.article && state.article.slug === article.slug) item.classList.add("selected");
    list.append(item);
  }
}

$("article-search").addEventListener("input", loadList);
$("status-filter").addEventListener("change", loadList);
$("show-articles").addEventListener("click", showArticles);
$("show-inbox").addEventListener("click", showInbox);

// --- the article form --------------------------------------------------------------------------

function fillForm(article, variants) {
  hideConflict(); // whatever the form shows now is what was loaded: nothing left to compare
  state.article = article;
  state.variants = variants;
  $("empty-hint").hidden = true;
  $("article-form").hidden = false;
  $("slug").value = article ? article.slug : "";
  $("title").value = article ? article.title : "";
  $("tags").value = article ? article.tags.join(", ") : "";
  $("status-badge").textContent = article ? article.status : "new";
  $("status-badge").className = `badge ${article ? article.status : "draft"}`;
  $("version-number").textContent = article ? article.version : "—";
  $("publish").hidden = !article || article.status === "published";
  $("unpublish").hidden = !article || article.status !== "published";
  $("delete").hidden = !article;
  for (const tab of document.querySelectorAll(".lang-tab")) {
    const stale = article && article.stale_languages.includes(tab.dataset.lang);
    tab.querySelector(".stale-flag").hidden = !stale;
    // The inbox makes one variant, in the group's language: other languages are added once it is saved.
    tab.hidden = Boolean(state.group) && tab.dataset.lang !== state.group.lang;
  }
  $("figures-card").hidden = !article;
  $("versions-card").hidden = !article;
  say("", true);
  showLanguage(state.lang);
  state.saved = formSnapshot();
  if (article) {
    loadVersions();
    loadFigures();
  }
}

function closeForm() {
  hideConflict();
  state.article = null;
  $("article-form").hidden = true;
  $("versions-card").hidden = true;
  $("figures-card").hidden = true;
  $("empty-hint").hidden = false;
}

// The form is at the top of the page: opened from far down the list it was off-screen, as if nothing had
// happened. Show it, with the keyboard in its first field.
function bringFormIntoView() {
  $("article-form").scrollIntoView({ block: "start" });
  $("slug").focus({ preventScroll: true });
}

function keepLanguage() {
  state.variants[state.lang] = {
    title: $("variant-title").value.trim(),
    answer: $("answer").value,
    questions: $("questions").value.split("\n").map((q) => q.trim()).filter(Boolean),
  };
}

function showLanguage(lang) {
  state.lang = lang;
  const variant = state.variants[lang] || { title: "", answer: "", questions: [] };
  $("variant-title").value = variant.title || "";
  $("answer").value = variant.answer;
  $("questions").value = variant.questions.join("\n");
  $("questions").disabled = Boolean(state.group); // the group's questions, sent by id
  for (const tab of document.querySelectorAll(".lang-tab")) tab.classList.toggle("active", tab.dataset.lang === lang);
}

for (const tab of document.querySelectorAll(".lang-tab")) {
  tab.addEventListener("click", () => {
    keepLanguage();
    showLanguage(tab.dataset.lang);
  });
}

async function openArticle(slug) {
  const result = await api("GET", `/api/articles/${encodeURIComponent(slug)}`);
  if (!result.ok) return say(problemText(result));
  state.group = null;
  fillForm(result.data, variantsOf(result.data));
  loadList();
}

// An article's variants as the form keeps them.
function variantsOf(article) {
  const variants = {};
  for (const [lang, v] of Object.entries(article.variants)) {
    variants[lang] = { title: v.title || "", answer: v.answer, questions: v.questions };
  }
  return variants;
}

async function openFromList(slug) {
  await openArticle(slug);
  bringFormIntoView();
}

$("new-article").addEventListener("click", () => {
  if (!discardOk()) return;
  state.group = null;
  fillForm(null, {});
  bringFormIntoView();
});

// The form's variants as a PATCH against base sends them: a language base has and the form emptied is null.
function collectVariants(base = state.article) {
  keepLanguage();
  const variants = {};
  for (const lang of LANGS) {
    const v = state.variants[lang];
    const filled = v && (v.answer.trim() || v.questions.length);
    if (filled) {
      variants[lang] = { answer: v.answer, questions: v.questions };
      if (v.title) variants[lang].title = v.title;
    } else if (base && base.variants[lang]) {
      variants[lang] = null; // emptied: remove this language
    }
  }
  return variants;
}

function commonFields() {
  return {
    slug: $("slug").value.trim(), title: $("title").value.trim(),
    tags: $("tags").value.split(",").map((t) => t.trim()).filter(Boolean),
  };
}

// The form as it would be saved, to compare with what was loaded.
function formSnapshot() {
  return JSON.stringify({ ...commonFields(), variants: collectVariants() });
}

function hasUnsavedEdits() {
  return !$("article-form").hidden && formSnapshot() !== state.saved;
}

// Leaving the form (another article, a restore, unpublishing, signing out) must not drop edits without asking.
function discardOk() {
  return !hasUnsavedEdits() || window.confirm("Discard your unsaved changes to this article?");
}

// Reloading or closing the tab must not either: the browser asks, in its own words. Checked when the page is
// left, so once the edits are saved or given up it lets the page go.
window.addEventListener("beforeunload", (event) => {
  if (hasUnsavedEdits()) event.preventDefault();
});

// Save the form over base (the version it was loaded from, or the newer one "Keep mine" saves over); true when
// saved (the form then shows the saved article), false when refused (said why, or the conflict view shown).
async function save(base = state.article) {
  const common = commonFields();
  let result;
  if (base) {
    result = await api("PATCH", `/api/articles/${base.id}`,
      { ...common, version: base.version, variants: collectVariants(base) });
  } else if (state.group) {
    // The group's questions are in its language, whichever tab is open.
    const answer = (collectVariants()[state.group.lang] || {}).answer || "";
    result = await api("POST", "/api/kb/unanswered/article", {
      question_ids: state.group.group.question_ids, slug: common.slug, title: common.title,
      language: state.group.lang, answer,
    });
  } else {
    const variants = collectVariants();
    for (const lang of Object.keys(variants)) if (variants[lang] === null) delete variants[lang];
    result = await api("POST", "/api/articles", { ...common, variants });
  }
  if (changedMeanwhile(result)) {
    showConflict(result.data, SAVE_CONFLICT);
    return false;
  }
  if (!result.ok) {
    const prefix = result.status === 409 ? "Not saved. " : "";
    say(prefix + problemText(result));
    return false;
  }
  await openArticle(result.data.slug);
  say(`Saved version ${result.data.version}.`, true);
  refreshInboxCount();
  return true;
}

$("article-form").addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});

// --- a save or an action refused because someone saved meanwhile ----------------------------------

// A 409 that carries the article as it is now (a taken slug is a 409 with nothing to compare).
function changedMeanwhile(result) {
  return result.status === 409 && Boolean(result.data && result.data.current);
}

// A refused save: the unsaved text in the form against the version saved meanwhile. "Keep mine" saves it over
// that version, "Use theirs" loads that version after asking.
const SAVE_CONFLICT = {
  heading: "Someone else saved this article while you were editing",
  refused: "Not saved: someone else saved this article meanwhile. Compare and choose above.",
  mineLabel: () => "Your unsaved text",
  mine: () => formFields(),
  retryLabel: () => "Keep mine",
  retryOk: () => true,
  retry: (current) => save(current),
  reloadLabel: () => "Use theirs",
  reloadOk: (saved) =>
    window.confirm(`Discard your unsaved text and load version ${saved.number}, saved by ${saved.author_name}?`),
  reloaded: (saved) => `Loaded version ${saved.number} by ${saved.author_name}; your text was discarded.`,
  summary: () => "Your text is still in the form: nothing is lost.",
  same: (n) => `Your text now matches version ${n}.`,
  hint: (n) => `Keep mine saves your text over version ${n}. Use theirs loads version ${n} into the form and ` +
    "discards your text. You can edit your text above before choosing.",
};

// A refused action (publish, unpublish, restore): the version the editor was looking at against the one saved
// meanwhile. The action can be done anyway to the newer version (after asking), or the newer version loaded.
function actionConflict(action) {
  const seen = state.article.version;
  return {
    heading: `${action.name}: someone else changed this article meanwhile`,
    refused: `${action.name} not done: someone else changed this article meanwhile. Compare and choose above.`,
    mineLabel: () => `Version ${seen}, which you were looking at`,
    mine: () => articleFields(state.article),
    retryLabel: () => `${action.name} anyway`,
    retryOk: (saved) => window.confirm(
      `${action.name} anyway? The article is now version ${saved.number}, saved by ${saved.author_name}.`),
    retry: (current) => articleAction(action, current),
    reloadLabel: (saved) => `Load version ${saved.number}`,
    reloadOk: () => discardOk(),
    reloaded: (saved) => `Loaded version ${saved.number} by ${saved.author_name}; nothing was done.`,
    summary: () => `You were looking at version ${seen}; nothing was done.`,
    same: (n) => `No text differs from version ${n}.`,
    hint: (n) => `${action.name} anyway does it to version ${n} as it is now. Load version ${n} shows it here ` +
      "instead, so you can look before deciding.",
  };
}

const FIELD_LABELS = { slug: "Slug", title: "Title", tags: "Tags" };
const VARIANT_LABELS = { title: "Title", answer: "Answer", questions: "Example questions" };

// Every field of the form as text, keyed like "title" or "uk.answer", for an article from the API.
function articleFields(article) {
  return fieldsOf(article.slug, article.title, article.tags.join(", "), variantsOf(article));
}

// The same for the form as it is now: the editor's unsaved text.
function formFields() {
  keepLanguage();
  return fieldsOf($("slug").value, $("title").value, $("tags").value, state.variants);
}

function fieldsOf(slug, title, tags, variants) {
  const fields = { slug, title, tags };
  for (const lang of LANGS) {
    const v = variants[lang] || { title: "", answer: "", questions: [] };
    fields[`${lang}.title`] = v.title || "";
    fields[`${lang}.answer`] = v.answer;
    fields[`${lang}.questions`] = v.questions.join("\n");
  }
  return fields;
}

function fieldLabel(key) {
  const [lang, part] = key.split(".");
  return part ? `${VARIANT_LABELS[part]} (${lang})` : FIELD_LABELS[key];
}

// A field as the server stores it, so spacing the server would drop does not count as a difference.
function comparable(key, text) {
  if (key === "tags") return text.split(",").map((t) => t.trim()).filter(Boolean).join(",");
  if (key.endsWith(".questions")) {
    return text.split("\n").map((q) => q.split(/\s+/).filter(Boolean).join(" ")).filter(Boolean).join("\n");
  }
  return text.trim();
}

function savedByText() {
  const saved = state.conflict.saved;
  return `Saved meanwhile by ${saved.author_name} at ${new Date(saved.created_at).toLocaleString()} ` +
    `(version ${saved.number})`;
}

function sideBlock(side, label, text) {
  return el("div", { class: `conflict-side ${side}` }, el("div", { class: "conflict-label" }, label),
    el("div", { class: text ? "conflict-text" : "conflict-text empty" }, text || "(empty)"));
}

// Each field where the editor's side (kind.mine: the unsaved text, or the version looked at) and the newer version
// differ, side by side; drawn again as the editor types.
function renderConflict() {
  const { current, saved, kind } = state.conflict;
  const mine = kind.mine();
  const theirs = articleFields(current);
  const before = articleFields(state.article); // the version this editor started from
  const rows = [];
  for (const key of Object.keys(mine)) {
    const compared = [mine, theirs, before].map((fields) => comparable(key, fields[key]));
    if (compared[0] === compared[1]) continue;
    const changers = [compared[0] !== compared[2] && "you", compared[1] !== compared[2] && saved.author_name];
    rows.push(el("div", { class: "conflict-field", "data-field": key },
      el("h4", {}, fieldLabel(key), " ",
        el("span", { class: "changed-by" }, `— changed by ${changers.filter(Boolean).join(" and ")}`)),
      el("div", { class: "conflict-sides" }, sideBlock("mine", kind.mineLabel(), mine[key]),
        sideBlock("theirs", savedByText(), theirs[key]))));
  }
  const status = current.status !== state.article.status ? ` Its status is now ${current.status}.` : "";
  $("conflict-summary").textContent = `${savedByText()}.${status} ${kind.summary()}`;
  $("conflict-fields").replaceChildren(...(rows.length ? rows
    : [el("p", {}, kind.same(saved.number))]));
  $("conflict-hint").textContent = kind.hint(saved.number);
}

// Show a 409's article (data.current, saved by data.current_version) beside the editor's side; kind says what
// was refused (SAVE_CONFLICT or actionConflict(...)).
function showConflict(data, kind) {
  const current = data.current;
  const saved = data.current_version
    || { number: current.version, author_name: "someone else", created_at: current.updated_at };
  state.conflict = { current, saved, kind };
  renderConflict();
  $("conflict-heading").textContent = kind.heading;
  $("conflict-retry").textContent = kind.retryLabel(saved);
  $("conflict-reload").textContent = kind.reloadLabel(saved);
  $("conflict").hidden = false;
  say(kind.refused);
  $("conflict-heading").scrollIntoView({ block: "start" });
  $("conflict-heading").focus({ preventScroll: true });
}

function hideConflict() {
  state.conflict = null;
  $("conflict").hidden = true;
}

$("article-form").addEventListener("input", () => {
  if (state.conflict) renderConflict();
});

// Keep mine, or do the refused action anyway: against the version saved meanwhile.
$("conflict-retry").addEventListener("click", async () => {
  const { current, saved, kind } = state.conflict;
  if (!kind.retryOk(saved)) return;
  const button = $("conflict-retry");
  button.disabled = true; // one at a time: a second press would be refused as stale by the first
  try {
    if (await kind.retry(current)) $("save").focus();
  } finally {
    button.disabled = false;
  }
});

// Use theirs, or load the version saved meanwhile instead of doing the action.
$("conflict-reload").addEventListener("click", () => {
  const { current, saved, kind } = state.conflict;
  if (!kind.reloadOk(saved)) return;
  fillForm(current, variantsOf(current));
  loadList();
  bringFormIntoView();
  say(kind.reloaded(saved), true);
});

// What the editor can do to an article besides saving it, each guarded by the version it is meant for (base),
// so nothing saved meanwhile is published, unpublished or overwritten unseen.
const PUBLISH = {
  name: "Publish", done: "Published: the bot answers with it now.",
  request: (base) => ["POST", `/api/articles/${base.id}/publish`, { version: base.version }],
};
const UNPUBLISH = {
  name: "Unpublish", done: "Unpublished: the bot no longer answers with it.",
  request: (base) => ["PATCH", `/api/articles/${base.id}`, { version: base.version, status: "draft" }],
};
function restoreOf(number) {
  return {
    name: `Restore version ${number}`, done: `Restored version ${number} as a new version.`,
    request: (base) => ["POST", `/api/articles/${base.id}/versions/${number}/restore`, { version: base.version }],
  };
}

// Do action to base (the version the form shows, or the newer one "anyway" is meant for); true when done, false
// when refused (said why, or the conflict view shown with what changed meanwhile).
async function articleAction(action, base = state.article) {
  if (!discardOk()) return false;
  const result = await api(...action.request(base));
  if (changedMeanwhile(result)) {
    showConflict(result.data, actionConflict(action));
    return false;
  }
  if (!result.ok) {
    say(problemText(result));
    return false;
  }
  await openArticle(result.data.slug);
  say(action.done, true);
  return true;
}

// What the editor sees is what goes live: pending edits are saved first.
$("publish").addEventListener("click", async () => {
  if (hasUnsavedEdits() && !(await save())) return;
  articleAction(PUBLISH);
});
$("unpublish").addEventListener("click", () => articleAction(UNPUBLISH));
$("delete").addEventListener("click", async () => {
  if (!window.confirm(`Delete "${state.article.title}" and its history?`)) return;
  const result = await api("DELETE", `/api/articles/${state.article.id}`);
  if (!result.ok) return say(problemText(result));
  closeForm();
  loadList();
});

// --- versions and figures ----------------------------------------------------------------------

function diffBlock(text) {
  const pre = el("pre", { class: "diff" });
  for (const line of text.split("\n")) {
    const kind = line.startsWith("+") && !line.startsWith("+++") ? "add"
      : line.startsWith("-") && !line.startsWith("---") ? "del" : "";
    pre.append(el("span", kind ? { class: kind } : {}, line), "\n");
  }
  return pre;
}

async function loadVersions() {
  const article = state.article;
  const result = await api("GET", `/api/articles/${article.id}/versions`);
  if (!result.ok) return;
  const list = $("versions");
  list.replaceChildren();
  for (const version of result.data) {
    const diff = diffBlock(version.diff || "(no changes)");
    diff.hidden = true;
    const when = new Date(version.created_at).toLocaleString();
    const item = el("li", { "data-version": version.number },
      el("strong", {}, `v${version.number}`), ` ${version.action} by ${version.author_name}, ${when} `,
      el("button", { type: "button", class: "show-diff", onclick: () => { diff.hidden = !diff.hidden; } }, "Diff"));
    if (version.number !== article.version && WRITERS.includes(state.me.role)) {
      item.append(" ", el("button", {
        type: "button", class: "restore",
        onclick: () => articleAction(restoreOf(version.number)),
      }, "Restore"));
    }
    item.append(diff);
    list.append(item);
  }
}

async function loadFigures() {
  const result = await api("GET", `/api/articles/${state.article.id}/figures`);
  if (!result.ok) return;
  const f = result.data;
  $("figures").textContent =
    `Answered ${f.answered} times · 👍 ${f.helpful} · 👎 ${f.not_helpful} · hand-offs after the answer ${f.handoffs_after}`;
}

// --- test a question ---------------------------------------------------------------------------

$("test-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const question = $("test-question").value.trim();
  if (!question) return;
  const box = $("test-result");
  box.replaceChildren(); // an old result must not pass for the new one
  const result = await api("GET", `/api/kb/search?q=${encodeURIComponent(question)}`);
  if (!result.ok) return box.append(el("p", { class: "error" }, problemText(result)));
  const d = result.data.decision;
  const summary = d.action === "answer" ? `answer with “${d.article_id}”` : d.action;
  box.append(el("p", { id: "test-decision" },
    `Decision: ${summary} · language ${result.data.language} · confidence ${d.confidence.toFixed(3)}`,
    d.reason ? ` · reason ${d.reason}` : ""));
  const table = el("table", { class: "matches" }, el("tr", {}, el("th", {}, "Article"), el("th", {}, "Title"),
    el("th", {}, "Score")));
  for (const match of result.data.matches) {
    table.append(el("tr", {}, el("td", {}, match.article_id), el("td", {}, match.title),
      el("td", {}, match.score.toFixed(3))));
  }
  box.append(table);
});

// --- the unanswered inbox ----------------------------------------------------------------------

async function refreshInboxCount() {
  const result = await api("GET", "/api/kb/unanswered");
  if (result.ok) $("inbox-count").textContent = result.data.total || "";
  return result;
}

async function showInbox() {
  $("articles-view").hidden = true;
  $("inbox-view").hidden = false;
  $("show-inbox").classList.add("active");
  $("show-articles").classList.remove("active");
  const result = await refreshInboxCount();
  const list = $("groups");
  list.replaceChildren();
  if (!result.ok) return;
  if (!result.data.groups.length) list.append(el("li", {}, "Nothing waiting: the bot answered everything."));
  const articles = WRITERS.includes(state.me.role) ? await articleChoices() : [];
  for (const group of result.data.groups) {
    const examples = el("ul", {}, ...group.examples.map((text) => el("li", {}, text)));
    const languages = Object.entries(group.languages).map(([l, n]) => `${l} ${n}`).join(", ");
    const reasons = Object.entries(group.reasons).map(([r, n]) => `${r.replace("_", " ")} ${n}`).join(", ");
    const item = el("li", { class: "group" },
      el("span", { class: "count" }, `${group.count}×`), el("span", {}, `${languages} · ${reasons}`),
      group.articles.length ? el("span", { class: "badge" }, `not helpful: ${group.articles.join(", ")}`) : "",
      el("div", { class: "hint" }, `latest ${new Date(group.latest_at).toLocaleString()}`), examples);
    if (WRITERS.includes(state.me.role)) {
      item.append(el("button", { type: "button", class: "from-group", onclick: () => articleFromGroup(group) },
        "Create article from this group"), groupActions(group, articles));
    }
    list.append(item);
  }
}

// Articles with a variant in the group's language: the ones its questions can be added to.
async function articleChoices() {
  const result = await api("GET", "/api/articles");
  return result.ok ? result.data : [];
}

// A missed question is usually a new wording of something the bot knows: add it to that article.
// A 👎 on a right answer or chatter needs no article: dismiss it.
function groupActions(group, articles) {
  const lang = Object.keys(group.languages)[0];
  const choices = articles.filter((a) => (a.languages || []).includes(lang));
  const select = el("select", { class: "add-target", "aria-label": "Article to add these questions to" },
    el("option", { value: "" }, `Add to an article (${lang})…`),
    ...choices.map((a) => el("option", { value: a.slug }, `${a.title} — ${a.slug}`)));
  const status = el("div", { class: "group-status", role: "status" });
  const done = async (result, text) => {
    if (!result.ok) { status.textContent = problemText(result); return; }
    await showInbox();
    $("inbox-status").textContent = text;
  };
  const add = el("button", { type: "button", class: "add-to-article", onclick: async () => {
    if (!select.value) { status.textContent = "Choose the article first."; return; }
    const result = await api("POST", "/api/kb/unanswered/add-to-article",
      { question_ids: group.question_ids, article: select.value, language: lang });
    await done(result, `Added ${group.count} question(s) to “${select.value}” (version ${result.data && result.data.version}).`);
  } }, "Add");
  const dismiss = el("button", { type: "button", class: "dismiss", onclick: async () => {
    const result = await api("POST", "/api/kb/unanswered/dismiss", { question_ids: group.question_ids });
    await done(result, `Dismissed ${group.count} question(s).`);
  } }, "Dismiss");
  return el("div", { class: "group-actions" }, select, add, dismiss, status);
}

function articleFromGroup(group) {
  if (!discardOk()) return;
  showArticles();
  const lang = Object.entries(group.languages).sort((a, b) => b[1] - a[1])[0][0];
  state.group = { group, lang };
  state.lang = lang;
  fillForm(null, { [lang]: { title: "", answer: "", questions: group.examples } });
  bringFormIntoView();
  say(`All ${group.count} questions of the group become example questions. Write the answer, then save; ` +
    "add other languages after saving.", true);
}

start();
