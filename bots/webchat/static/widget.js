// Relaydesk chat widget: <script src="https://support.example.com/chat/widget.js" async></script>
// Adds a chat button to the page; the chat itself runs in a frame served by Relaydesk, so the
// visitor id stays in Relaydesk's own storage and the shop's page needs nothing else.
(() => {
  "use strict";
  const script = document.currentScript;
  // The button speaks the shop page's language (its <html lang>), else the browser's, until the chat
  // names the conversation's.
  const LABELS = {
    uk: {open: "Відкрити чат", close: "Закрити чат", title: "Чат"},
    ru: {open: "Открыть чат", close: "Закрыть чат", title: "Чат"},
    en: {open: "Open chat", close: "Close chat", title: "Chat"},
  };
  const pageLanguage = (document.documentElement.lang || "").slice(0, 2).toLowerCase();
  let labels = LABELS[pageLanguage] || LABELS[(navigator.language || "").slice(0, 2).toLowerCase()] || LABELS.en;
  const chatUrl = new URL("../chat", script ? script.src : location.href);
  if (LABELS[pageLanguage]) chatUrl.searchParams.set("lang", pageLanguage);  // the chat page speaks it too
  const button = document.createElement("button");
  button.type = "button";
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#2b59c3;color:#fff;font-size:24px;cursor:pointer;z-index:2147483646;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)";
  let frame = null;

  function show(open) {
    button.textContent = open ? "✕" : "💬";
    button.setAttribute("aria-expanded", String(open));
    button.setAttribute("aria-label", open ? labels.close : labels.open);
  }

  // Typing starts in the chat: the frame takes the focus and its page puts it in the message field.
  function focusChat() {
    frame.focus();
    frame.contentWindow.postMessage({type: "relaydesk:focus"}, chatUrl.origin);
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "relaydesk-chat";
      frame.src = chatUrl.href;
      frame.title = labels.title;
      frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:360px;height:520px;max-height:80vh;" +
        "max-width:calc(100vw - 40px);border:0;border-radius:14px;z-index:2147483647;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.25);background:#fff";
      frame.addEventListener("load", () => { if (!frame.hidden) focusChat(); });
      document.body.appendChild(frame);
      button.setAttribute("aria-controls", frame.id);
    } else {
      frame.hidden = false;
      focusChat();
    }
    show(true);
  }

  function close() {
    frame.hidden = true;
    show(false);
    button.focus();
  }

  const isOpen = () => Boolean(frame && !frame.hidden);
  button.addEventListener("click", () => (isOpen() ? close() : open()));
  // Escape closes the chat: pressed on the shop's page, or in the chat (whose page tells us so).
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) close();
  });
  window.addEventListener("message", (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== chatUrl.origin || !event.data) return;
    if (event.data.type === "relaydesk:close" && isOpen()) close();
    if (event.data.type === "relaydesk:language" && LABELS[event.data.language]) {
      labels = LABELS[event.data.language];
      frame.title = labels.title;
      show(isOpen());
    }
  });
  show(false);
  function mount() { document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
