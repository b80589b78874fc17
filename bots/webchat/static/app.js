// Relaydesk web chat: talks to /chat/ws. Every text and author label is rendered with textContent;
// the one exception is a knowledge-base answer's "html", which the server's renderer produced (see
// bots/messengers/webchat.py) and which is still rebuilt here from an allow-list, never assigned as markup.
(() => {
  "use strict";
  const VISITOR_KEY = "relaydesk.visitor";
  const PENDING_KEY = "relaydesk.pending";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const status = document.getElementById("status");
  const title = document.getElementById("chat-title");
  const closer = document.getElementById("close");
  const sendButton = document.getElementById("send");
  const framed = window.parent !== window;  // in the widget's frame on a shop's page
  // Characters that take no space on screen (as nlu/text.py strips them).
  const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
  const shown = new Set();          // message ids already on screen (history and pushes may overlap)
  // The page's own words, in the page's language: the server serves it in the shopper's language as far
  // as it knows (the shop page's, else the browser's), and the socket names the conversation's once known.
  const WORDS = {
    uk: {title: "Чат", close: "Закрити чат", message: "Повідомлення", send: "Надіслати",
         placeholder: "Напишіть повідомлення…", reconnecting: "Підключення…",
         tooLong: "Повідомлення обрізано до 4000 символів",
         up: "Ця відповідь допомогла", down: "Ця відповідь не допомогла"},
    ru: {title: "Чат", close: "Закрыть чат", message: "Сообщение", send: "Отправить",
         placeholder: "Напишите сообщение…", reconnecting: "Подключение…",
         tooLong: "Сообщение обрезано до 4000 символов",
         up: "Этот ответ помог", down: "Этот ответ не помог"},
    en: {title: "Chat", close: "Close chat", message: "Message", send: "Send",
         placeholder: "Type a message…", reconnecting: "Reconnecting…", tooLong: "Messages are cut at 4000 characters",
         up: "This answer helped", down: "This answer did not help"},
  };
  // The 👍/👎 under a knowledge-base answer (bots/steps/answer.py): their names say what pressing them does.
  const FEEDBACK = /^fb:.+:(up|down)$/;
  let words = WORDS.en;
  let socket = null;
  let retryDelay = 500;

  function speak(language) {
    const code = String(language || "").slice(0, 2).toLowerCase();
    const next = WORDS[code] || WORDS.en;
    document.documentElement.lang = WORDS[code] ? code : "en";
    // A notice on screen now says the same in the new language.
    const notice = status.textContent && Object.keys(words).find((key) => words[key] === status.textContent);
    if (notice) status.textContent = next[notice];
    words = next;
    title.textContent = words.title;
    closer.setAttribute("aria-label", words.close);
    input.setAttribute("aria-label", words.message);
    input.placeholder = words.placeholder;
    sendButton.setAttribute("aria-label", words.send);
    log.querySelectorAll("button[data-vote]").forEach((b) => b.setAttribute("aria-label", words[b.dataset.vote]));
    // In the widget's frame, the shop page's chat button names itself in the same language.
    if (window.parent !== window) window.parent.postMessage({type: "relaydesk:language", language: code}, "*");
  }

  // The shop's page holds the frame: it hides it and gives the focus back to its chat button.
  function closeChat() { window.parent.postMessage({type: "relaydesk:close"}, "*"); }

  function randomId(bytes) {
    const values = crypto.getRandomValues(new Uint8Array(bytes));
    return Array.from(values, (v) => v.toString(16).padStart(2, "0")).join("");
  }

  function visitorId() {
    let id = localStorage.getItem(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = randomId(16);
      localStorage.setItem(VISITOR_KEY, id);
    }
    return id;
  }

  // Messages typed but not yet accepted by the server survive reloads and are re-sent on reconnect.
  function pending() {
    try { return JSON.parse(localStorage.getItem(PENDING_KEY) || "[]"); } catch (e) { return []; }
  }
  function savePending(list) { localStorage.setItem(PENDING_KEY, JSON.stringify(list)); }

  // The tags the knowledge-base renderer writes for the web. The answer is parsed in an inert document
  // (nothing runs or loads there) and copied node by node: allowed elements without their attributes
  // (a link keeps only a safe href), text as text; any other element is dropped, keeping its text.
  const RICH_TAGS = new Set(["P", "BR", "STRONG", "EM", "CODE", "UL", "OL", "LI", "A"]);
  const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "IFRAME", "OBJECT", "SVG", "MATH"]);
  const SAFE_HREF = /^(https?:|mailto:|tel:|tg:)/i;

  function copyRich(source, target) {
    source.childNodes.forEach((node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.nodeName.toUpperCase())) return;
      const href = (node.getAttribute("href") || "").trim();
      if (!RICH_TAGS.has(node.nodeName) || (node.nodeName === "A" && !SAFE_HREF.test(href))) {
        copyRich(node, target);
        return;
      }
      const copy = document.createElement(node.nodeName.toLowerCase());
      if (node.nodeName === "A") {
        copy.href = href;
        copy.rel = "nofollow noopener noreferrer";
        copy.target = "_blank";
      }
      copyRich(node, copy);
      target.appendChild(copy);
    });
  }

  function richBody(html) {
    const body = document.createElement("div");
    body.className = "text rich";
    copyRich(new DOMParser().parseFromString(html, "text/html").body, body);
    return body;
  }

  // options: {html} a knowledge-base answer's formatting, {author} the label above a reply.
  function bubble(direction, text, buttons, options) {
    const {html, author} = options || {};
    const item = document.createElement("li");
    item.className = "msg " + direction;
    if (author) {
      const label = document.createElement("div");
      label.className = "author";
      label.textContent = author;
      item.appendChild(label);
    }
    let body;
    if (html) {
      body = richBody(html);
    } else {
      body = document.createElement("div");
      body.className = "text";
      body.textContent = text;
    }
    item.appendChild(body);
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      buttons.flat().forEach((b) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.text;
        const vote = FEEDBACK.exec(String(b.data || ""));
        if (vote) {
          button.dataset.vote = vote[1];
          button.setAttribute("aria-label", words[vote[1]]);
        }
        button.addEventListener("click", () => submit({type: "callback", data: b.data, label: b.text}, b.text));
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // Server messages stay in id order, above the ones typed here that have no id yet: another tab's
  // question may arrive after the bot's answer to it, and a reply stored while this tab's message was on
  // its way goes above that message once its id arrives.
  function placeById(item, id) {
    item.dataset.messageId = String(id);
    const later = Array.from(log.children).find((other) => other !== item
      && (!other.dataset.messageId || Number(other.dataset.messageId) > id));
    if (later) log.insertBefore(item, later);
    else log.appendChild(item);
  }

  function showServerMessage(m) {
    if (shown.has(m.message_id)) return;
    shown.add(m.message_id);
    const incoming = m.direction === "in";
    const item = bubble(incoming ? "in" : "out", m.text, m.buttons,
                        incoming ? {} : {html: typeof m.html === "string" ? m.html : "", author: m.author_name || ""});
    placeById(item, m.message_id);
    if (m.client_id) item.dataset.clientId = m.client_id;  // the visitor's own, as this tab sent it
    if (m.direction !== "in" && !["delivered", "seen"].includes(m.delivery_status)) {
      send({type: "ack", message_id: m.message_id});
    }
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function submit(frame, label) {
    frame.id = randomId(12);
    const list = pending();
    list.push(frame);
    savePending(list);
    const item = bubble("in pending", label, []);
    item.dataset.clientId = frame.id;
    send(frame);
  }

  // messageId, when the server sends it, places the message among the replies: its "echo" is best effort.
  function accepted(clientId, messageId) {
    savePending(pending().filter((f) => f.id !== clientId));
    const item = log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]');
    if (!item) return;
    item.classList.remove("pending");
    if (Number.isInteger(messageId) && !shown.has(messageId)) {
      shown.add(messageId);
      placeById(item, messageId);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const params = new URLSearchParams({visitor: visitorId(), lang: navigator.language || ""});
    socket = new WebSocket(scheme + "//" + location.host + "/chat/ws?" + params.toString());
    socket.addEventListener("open", () => {
      retryDelay = 500;
      status.textContent = "";
    });
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.language) speak(frame.language);  // the conversation's, on "history" and "accepted"
      if (frame.type === "history") {
        log.replaceChildren();
        shown.clear();
        frame.messages.forEach(showServerMessage);
        // A message stored while its "accepted" never arrived is in the history already: one bubble.
        const stored = new Set(frame.messages.map((m) => m.client_id).filter(Boolean));
        // What was typed while offline goes out now (the server ignores repeats).
        pending().forEach((f) => {
          if (stored.has(f.id)) {
            accepted(f.id);
            return;
          }
          const item = bubble("in pending", f.type === "callback" ? f.label : f.text, []);
          item.dataset.clientId = f.id;
          send(f);
        });
      } else if (frame.type === "message") {
        showServerMessage({...frame, direction: "out"});
      } else if (frame.type === "echo") {
        // Our own message, stored: this tab already shows it if it was typed here, else another tab did.
        const mine = log.querySelector('[data-client-id="' + CSS.escape(String(frame.client_id)) + '"]');
        if (mine) {
          shown.add(frame.message_id);
          placeById(mine, frame.message_id);
        } else {
          showServerMessage({message_id: frame.message_id, direction: "in", text: frame.text});
        }
      } else if (frame.type === "accepted") {
        accepted(frame.id, frame.message_id);
      } else if (frame.type === "error") {
        status.textContent = frame.detail;
      }
    });
    socket.addEventListener("close", () => {
      status.textContent = words.reconnecting;
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 5000);
    });
  }

  // The field stops at its maxlength; a longer paste is cut silently unless the shopper is told.
  input.addEventListener("input", () => {
    if (input.value.length >= input.maxLength) status.textContent = words.tooLong;
    else if (status.textContent === words.tooLong) status.textContent = "";
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    // Zero-width characters alone show nothing; the server refuses them too.
    if (!text.replace(INVISIBLE, "")) return;
    input.value = "";
    if (status.textContent === words.tooLong) status.textContent = "";
    submit({type: "message", text: text}, text);
  });

  if (framed) {
    closer.hidden = false;
    closer.addEventListener("click", closeChat);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeChat();
    });
    // The widget opened the chat: typing starts here.
    window.addEventListener("message", (event) => {
      if (event.source === window.parent && event.data && event.data.type === "relaydesk:focus") input.focus();
    });
  }

  speak(document.documentElement.lang);
  connect();
})();
