// « Trouver un créneau »: live search of people and rooms while typing (optional).
// Without this module the "Rechercher" button does the same with a page load. The results
// are the server's own HTML fragment (?partiel=recherche), swapped into a polite live region.

const form = document.querySelector("form[data-find-time]");
const input = form?.querySelector('input[name="q"]');
const results = document.getElementById("resultats-recherche");
const DELAY_MS = 250;
const MIN_LETTERS = 2;

if (form && input && results) {
  let timer = 0;
  let controller = null;
  let last = input.value.trim();

  const search = async () => {
    const query = input.value.trim();
    if (query === last || (query.length > 0 && query.length < MIN_LETTERS)) return;
    last = query;
    const params = new URLSearchParams(new FormData(form));
    params.delete("ajouter");
    params.set("partiel", "recherche");
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${form.action}?${params}`, {
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
    timer = window.setTimeout(search, DELAY_MS);
  });
}
