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
