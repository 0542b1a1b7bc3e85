// Documents pages, optional behaviours (every page works without them):
// - « Tout cocher » in the list, and the number of ticked items, announced politely;
// - the row menus close with Escape or a click elsewhere, one open at a time;
// - the sharing search shows results while typing (the server's own HTML fragment).

function setUpBulk() {
  const bulk = document.querySelector("form[data-bulk]");
  if (!bulk) return;
  const boxes = () => [...bulk.querySelectorAll('input[type="checkbox"][name="ids"]')];
  const all = bulk.querySelector("[data-select-all]");
  const count = bulk.querySelector("[data-selection-count]");
  const update = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    if (count) {
      count.textContent =
        ticked === 0 ? "" : ticked === 1 ? "1 élément coché" : `${ticked} éléments cochés`;
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

const menus = () => document.querySelectorAll("details.drive-menu[open]");

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of menus()) {
    menu.open = false;
    menu.querySelector("summary")?.focus();
  }
});

document.addEventListener("click", (event) => {
  for (const menu of menus()) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});

document.addEventListener(
  "toggle",
  (event) => {
    const opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.matches(".drive-menu") || !opened.open) {
      return;
    }
    for (const menu of menus()) if (menu !== opened) menu.open = false;
  },
  true,
);

const search = document.querySelector("form[data-share-search]");
const results = document.querySelector("[data-share-results]");

if (search && results) {
  const input = search.querySelector('input[name="q"]');
  const DELAY_MS = 250;
  let timer = 0;
  let controller = null;
  let last = input.value.trim();

  const refresh = async () => {
    const query = input.value.trim();
    if (query === last || (query.length > 0 && query.length < 2)) return;
    last = query;
    controller?.abort();
    controller = new AbortController();
    const params = new URLSearchParams({ q: query, partiel: "partage" });
    try {
      const response = await fetch(`${search.dataset.shareSearch}?${params}`, {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return;
      const html = await response.text();
      const fragment = new DOMParser().parseFromString(html, "text/html");
      results.replaceChildren(...fragment.body.childNodes);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  });
}
