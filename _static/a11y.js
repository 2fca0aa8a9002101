// Accessible names for two buttons of pydata-sphinx-theme's header (digitcourse.a11y says why).
// WCAG 2.5.3 (Label in Name): a button's accessible name contains the text it shows, so that a
// reader who speaks to the computer can say what they see. Both buttons exist only with JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The search field shows "Search Ctrl+K" but is named "Search" by its aria-label: without the
  // label, its name is the text it shows.
  document.querySelectorAll(".search-button-field[aria-label]").forEach((button) => button.removeAttribute("aria-label"));

  // The colour-mode switch shows the icon of the current mode, whose title ("Light", "Dark",
  // "System Settings") is its visible text, but is named "Color mode": it is named
  // "Color mode: Light" instead, and renamed whenever the mode changes.
  const switches = document.querySelectorAll(".theme-switch-button");
  const label = () => switches.forEach((button) => {
    button.dataset.a11yLabel ??= button.getAttribute("aria-label") || "Color mode";
    const icon = button.querySelector(`[data-mode="${document.documentElement.dataset.mode || "auto"}"]`);
    // Font Awesome replaces each <i title="..."> by an <svg> holding a <title>.
    const mode = icon?.getAttribute("title") || icon?.querySelector("title")?.textContent;
    button.setAttribute("aria-label", mode ? `${button.dataset.a11yLabel}: ${mode}` : button.dataset.a11yLabel);
  });
  label();
  new MutationObserver(label).observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
});

// A code block or output too wide for the page scrolls, so a keyboard reader must be able to reach it
// with Tab to scroll it (WCAG 2.1.1). pydata-sphinx-theme gives the scrollable ones tabindex="0" when
// the page loads, but not those inside a folded cell or solution, which only become scrollable when
// the reader unfolds them: their tab stops are set again then, by the theme's own rule.
const SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, .pst-scrollable-table-container";
function updateTabStops(within) {
  within.querySelectorAll(SCROLLABLE).forEach((element) => {
    element.tabIndex = element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight ? 0 : -1;
  });
}
// myst-nb's folded cells are <details>, whose "toggle" event does not bubble: listen while it descends.
document.addEventListener("toggle", (event) => { if (event.target.open) updateTabStops(event.target); }, true);
// sphinx-togglebutton's solutions unfold on a click on their title or button.
document.addEventListener("click", (event) => {
  const toggled = event.target.closest?.(".toggle-button, .admonition.toggle > .admonition-title")?.closest(".admonition, .toggle");
  if (toggled) requestAnimationFrame(() => updateTabStops(toggled));
});
