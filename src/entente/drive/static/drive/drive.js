// Documents pages, optional behaviours (every page works without them):
// - « Tout cocher » in the list, and the number of ticked items, announced politely;
// - the sharing search shows results while typing (the server's own HTML fragment).

import { interpolate, ngettext } from "../entente/js/i18n.js";
import { liveResults } from "../entente/js/live-results.js";

function setUpBulk() {
  const bulk = document.querySelector("form[data-bulk]");
  if (!bulk) return;
  const boxes = () => [...bulk.querySelectorAll('input[type="checkbox"][name="ids"]')];
  const all = bulk.querySelector("[data-select-all]");
  const count = bulk.querySelector("[data-selection-count]");
  const update = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    if (count) {
      const text = ngettext("%(count)s élément coché", "%(count)s éléments cochés", ticked);
      count.textContent = ticked === 0 ? "" : interpolate(text, { count: ticked }, true);
    }
    bulk.classList.toggle("drive-bulk--none", ticked === 0);
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  };
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
      update();
    });
  }
  bulk.addEventListener("change", (event) => {
    if (event.target.name === "ids") update();
  });
  update();
}

setUpBulk();
// upload.js swaps in a fresh listing once files are sent
document.addEventListener("drive:refreshed", setUpBulk);

const search = document.querySelector("form[data-share-search]");
const results = document.querySelector("[data-share-results]");

if (search && results) {
  liveResults(search.querySelector('input[name="q"]'), results, (query) => {
    const params = new URLSearchParams({ q: query, partiel: "partage" });
    return `${search.dataset.shareSearch}?${params}`;
  });
}
