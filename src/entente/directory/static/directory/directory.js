// Live results in the directory: typing in the search box refreshes the results below it
// (progressive enhancement: without JavaScript the « Rechercher » button does the same).
import { liveResults } from "../entente/js/live-results.js";

const form = document.querySelector("[data-directory-search]");
const results = document.querySelector("[data-directory-results]");
const input = form?.querySelector("input[type=search]");

if (form && results && input) {
  liveResults(input, results, (query) => {
    const params = new URLSearchParams(new FormData(form));
    params.set("q", query);
    params.set("fragment", "1");
    return `${form.action}?${params}`;
  });
}
