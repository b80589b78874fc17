// Relaydesk agent console: the shared state, calls to the API, and what a tab does when the browser's
// session changes under it (signed out, or another account signed in). Loaded before console.js, which
// provides showLogin.
"use strict";

const state = { me: null, csrf: "", openId: null, detail: null, agentNames: new Map(), cannedLanguage: null,
  teams: [], socket: null, retry: 500, refreshTimer: null, openTouched: false, otherAccount: null,
  lastUserId: null };
const $ = (id) => document.getElementById(id);

async function api(method, path, body, retried = false) {
  // The browser's session is someone else's now: anything this tab asked for would be answered or done
  // in their name.
  if (state.otherAccount && !path.startsWith("/api/auth/")) throw new Error(anotherAccountText());
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(path, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    let detail = (data && data.detail) || response.statusText;
    // A refused request lists each problem as {field, error}: name what was wrong, not only the route.
    const problems = (data && Array.isArray(data.extra) ? data.extra : []).filter((e) => e && e.error);
    if (problems.length) detail = problems.map((e) => (e.field ? `${e.field}: ` : "") + e.error).join("; ");
    // Another tab signed out and in again: this tab's token belongs to a session that is gone.
    // Re-read the session once and repeat the write, if it is still the same person.
    if (response.status === 403 && !retried && method !== "GET" && /CSRF/.test(detail)) {
      const holder = await checkSession();
      if (holder === "mine") return api(method, path, body, true);
      if (holder === "other") detail = anotherAccountText();
    }
    if (response.status === 401 && state.me && !path.startsWith("/api/auth/")) sessionEnded();
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return data;
}

// Whose session the browser holds now: "mine" (its CSRF token taken), "other" (someone else signed in
// in this browser: said so, and this tab stops asking), "ended" (signed out: the sign-in is shown) or
// "unknown" (the server did not say; nothing changes).
async function checkSession() {
  if (!state.me) return "ended";
  if (state.otherAccount) return "other";
  const response = await fetch("/api/auth/me", { headers: { "Accept": "application/json" },
                                                 credentials: "same-origin" }).catch(() => null);
  if (response && response.status === 401) { sessionEnded(); return "ended"; }
  if (!response || !response.ok) return "unknown";
  const me = await response.json();
  if (me.id !== state.me.id) { anotherAccount(me); return "other"; }
  state.csrf = me.csrf_token || "";
  return "mine";
}

// Signed out in another tab (or the session expired): say so instead of showing stale lists.
function sessionEnded(notice = "Your session ended. Sign in again.") {
  if (state.socket) state.socket.close();
  state.me = null;
  showLogin();
  $("login-error").textContent = notice;
}

// Someone else signed in in this browser, so the cookie is theirs. Reloading would make this tab theirs
// and lose what was typed here; instead say so and let the person choose. The page, the open conversation
// and the reply box stay as they are.
function anotherAccount(other) {
  state.otherAccount = other;
  if (state.socket) state.socket.close();
  $("account-switched-text").textContent = anotherAccountText();
  $("account-sign-in-again").textContent = `Sign in again as ${who(state.me)}`;
  $("account-continue").textContent = `Continue as ${who(other)}`;
  $("account-switched").hidden = false;
}

function who(user) { return user.name || user.email; }

function anotherAccountText() {
  const other = state.otherAccount;
  return `Another account (${who(other)}, ${other.email}) signed in in this browser. This tab is still ` +
    `${who(state.me)}'s and sends nothing until you choose; what you typed is kept.`;
}

$("account-continue").addEventListener("click", () => location.reload());
$("account-sign-in-again").addEventListener("click", () => {
  const email = state.me.email;
  state.otherAccount = null;
  $("account-switched").hidden = true;
  sessionEnded(`Sign in as ${email} to go on where you were.`);
  $("login-email").value = email;
  $("login-password").focus();
});

// A tab whose session ended (signed out in another tab) goes on by itself, what was typed kept, once the
// same person has signed in again in this browser.
async function resumeIfSignedInAgain() {
  if (state.me || state.lastUserId === null || $("login").hidden) return;
  const response = await fetch("/api/auth/me", { headers: { "Accept": "application/json" },
                                                 credentials: "same-origin" }).catch(() => null);
  if (!response || !response.ok) return;
  const me = await response.json();
  if (me.id !== state.lastUserId || state.me) return;
  state.me = me;
  $("login-error").textContent = "";
  signedIn();
}

// A tab coming back into view checks whose session the browser holds, so a change shows before a write.
function backInView() { if (state.me) checkSession(); else resumeIfSignedInAgain(); }
window.addEventListener("focus", backInView);
document.addEventListener("visibilitychange", () => { if (!document.hidden) backInView(); });
