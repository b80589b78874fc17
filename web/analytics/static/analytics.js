// Sign-in form of the analytics page: posts to the login API (which sets the session cookie),
// then reloads the page. Served as a file so the Content-Security-Policy needs no inline script.
"use strict";
(function () {
  const form = document.getElementById("signin");
  if (!form) return;
  const error = document.getElementById("signin-error");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    error.hidden = true;
    const data = new FormData(form);
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({email: data.get("email"), password: data.get("password")}),
      credentials: "same-origin",
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    error.textContent = response.status === 401 ? "Wrong e-mail or password." : "Sign-in failed (" + response.status + ").";
    error.hidden = false;
  });
})();
