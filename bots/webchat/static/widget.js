// Relaydesk chat widget: <script src="https://support.example.com/chat/widget.js" async></script>
// Adds a chat button to the page; the chat itself runs in a frame served by Relaydesk, so the
// visitor id stays in Relaydesk's own storage and the shop's page needs nothing else.
(() => {
  "use strict";
  const script = document.currentScript;
  const chatUrl = new URL("../chat", script ? script.src : location.href).href;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "💬";
  button.setAttribute("aria-label", "Chat");
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#2b59c3;color:#fff;font-size:24px;cursor:pointer;z-index:2147483646;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25)";
  let frame = null;
  function mount() { document.body.appendChild(button); }
  button.addEventListener("click", () => {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = chatUrl;
      frame.title = "Chat";
      frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:360px;height:520px;max-height:80vh;" +
        "max-width:calc(100vw - 40px);border:0;border-radius:14px;z-index:2147483647;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.25);background:#fff";
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
  });
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
