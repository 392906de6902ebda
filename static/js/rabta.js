/* Rabta's only script: progressive enhancement. Every page works without it; with it:
   1. Long operations show progress. A form marked `data-long` ("Import", "Load the demo
      data") disables its submit buttons once sent, so it is not sent twice, and says
      "Working…" in a role="status" live region. A link marked `data-long` (an export) says
      its file is being prepared. The attribute's value, when given, replaces the message.
   2. The navigation's <details> groups behave like menus: opening one closes the others;
      Escape or a click elsewhere closes it (Escape returns focus to its summary).
   3. A table too wide for the screen scrolls in its frame; the frame becomes focusable and
      named after the table's caption, so keyboard users can scroll it too (WCAG 2.1.1).
   Loaded with `defer` from the page's own origin: the Content-Security-Policy forbids inline
   script, and nothing here needs it. */
(function () {
  "use strict";

  var DEFAULT_MESSAGE = "Working… this can take a minute. Please keep this page open.";
  var DOWNLOAD_MESSAGE = "Preparing your file… the download starts by itself.";

  function liveRegion(after, tag) {
    var region = document.createElement(tag || "p");
    region.className = "working";
    region.setAttribute("role", "status");
    after.insertAdjacentElement("afterend", region);
    return region;
  }

  function say(region, text) {
    // The region exists (empty) before the text arrives, so screen readers announce it.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function enhanceLongForm(form) {
    var region = liveRegion(form);
    form.addEventListener("submit", function () {
      var message = form.getAttribute("data-long") || DEFAULT_MESSAGE;
      // Disabled after the browser has collected the form's data: a button disabled earlier
      // would drop its own name and value from the submission.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
        form.setAttribute("aria-busy", "true");
      }, 0);
      say(region, message);
    });
  }

  function enhanceLongLink(link) {
    var region = liveRegion(link, "span");
    link.addEventListener("click", function () {
      say(region, link.getAttribute("data-long") || DOWNLOAD_MESSAGE);
      window.setTimeout(function () { region.textContent = ""; }, 10000);
    });
  }

  function enhanceMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("details[data-nav-menu]"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
      });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
    });
  }

  function enhanceWideTables() {
    document.querySelectorAll(".table-wrap:not([tabindex])").forEach(function (frame) {
      if (frame.scrollWidth <= frame.clientWidth) { return; }
      var caption = frame.querySelector("caption");
      frame.setAttribute("tabindex", "0");
      frame.setAttribute("role", "region");
      frame.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") + " (scrolls sideways)");
    });
  }

  function start() {
    document.querySelectorAll("form[data-long]").forEach(enhanceLongForm);
    document.querySelectorAll("a[data-long]").forEach(enhanceLongLink);
    enhanceMenus();
    enhanceWideTables();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
