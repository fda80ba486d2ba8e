// Small behaviours that CSP forbids inline: auto-submitting selects, confirmation prompts, printing.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]")) {
    el.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
  var printer = event.target.closest ? event.target.closest("[data-print]") : null;
  if (printer) {
    event.preventDefault();
    window.print();
  }
});
// Forms whose sections depend on a radio choice (e.g. registering as a person or an enterprise agent):
// <input type=radio name=X data-section-toggle> shows [data-section-for="X:value"] and hides its siblings.
function xinyipiToggleSections(radio) {
  var name = radio.name;
  document.querySelectorAll('[data-section-for^="' + name + ':"]').forEach(function (section) {
    section.hidden = section.getAttribute("data-section-for") !== name + ":" + radio.value;
  });
}
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("input[type=radio][data-section-toggle]") && el.checked) {
    xinyipiToggleSections(el);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=radio][data-section-toggle]:checked").forEach(xinyipiToggleSections);
});
// A table (or preformatted text) too wide for the screen scrolls in its own box; a keyboard reaches that box only if it can take
// the focus (WCAG 2.1.1), so a box that scrolls gets tabindex=0 and a name, and loses them when it fits again.
function xinyipiScrollableBoxes() {
  document.querySelectorAll(".table-scroll, .table, pre").forEach(function (box) {
    if (box.classList.contains("table") && box.parentElement.closest(".table-scroll")) {
      return;
    }
    var scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("data-scroll-focus", "");
      if (!box.hasAttribute("role") && !box.matches("table")) {
        box.setAttribute("role", "region");
      }
      if (!box.hasAttribute("aria-label")) {
        var heading = box.closest("section, .panel, main");
        heading = heading ? heading.querySelector("h1, h2, h3") : null;
        box.setAttribute("aria-label", heading ? heading.textContent.trim() : document.title);
      }
    } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("data-scroll-focus");
    }
  });
}
document.addEventListener("DOMContentLoaded", xinyipiScrollableBoxes);
window.addEventListener("resize", xinyipiScrollableBoxes);
document.addEventListener("htmx:afterSettle", xinyipiScrollableBoxes);
// On a phone the console's menu is one line that scrolls sideways: bring the current page's item into view.
document.addEventListener("DOMContentLoaded", function () {
  var active = document.querySelector(".sidenav a.active");
  if (active && active.parentElement.scrollWidth > active.parentElement.clientWidth) {
    active.parentElement.scrollLeft = active.offsetLeft - active.parentElement.offsetLeft - 16;
  }
});
