// Progressive enhancement only: every flow works without this file.
(function () {
  "use strict";
  // Copy buttons: <button data-copy-target="input-id">.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      if (!input) return;
      var status = button.parentElement && button.parentElement.nextElementSibling;
      var done = function (ok) {
        if (status && status.classList.contains("copy-status")) {
          status.textContent = ok ? "Link copied to the clipboard." : "Copy did not work; select the link and copy it.";
        }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () { input.select(); done(false); });
      } else {
        input.select();
        done(document.execCommand && document.execCommand("copy"));
      }
    });
  });
  // On narrow screens the section menu starts closed.
  var toggle = document.querySelector(".nav-toggle");
  if (toggle && window.matchMedia("(max-width: 760px)").matches) {
    toggle.removeAttribute("open");
  }
})();
