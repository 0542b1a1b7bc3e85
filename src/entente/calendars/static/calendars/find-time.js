// « Trouver un créneau »: live search of people and rooms while typing (optional).
// Without this module the "Rechercher" button does the same with a page load. The results
// are the server's own HTML fragment (?partiel=recherche), swapped into a polite live region.

import { liveResults } from "../entente/js/live-results.js";

const form = document.querySelector("form[data-find-time]");
const input = form?.querySelector('input[name="q"]');
const results = document.getElementById("resultats-recherche");

if (form && input && results) {
  liveResults(input, results, () => {
    const params = new URLSearchParams(new FormData(form));
    params.delete("ajouter");
    params.set("partiel", "recherche");
    return `${form.action}?${params}`;
  });
}
