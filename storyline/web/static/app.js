// storyline: the only script; progressive enhancement, the pages work without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("toggle-marks");
  const text = document.getElementById("article-text");
  if (toggle && text) {
    toggle.addEventListener("change", () => text.classList.toggle("plain", !toggle.checked));
  }
  // "/" focuses the search box, as on most sites
  const box = document.querySelector(".search input");
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && box && document.activeElement !== box) {
      event.preventDefault();
      box.focus();
    }
  });
});
