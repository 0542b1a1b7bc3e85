// Live results while typing (optional: without it, the form's button does the same with a
// page load). The results are the server's own HTML fragment, swapped into a live region.

const DELAY_MS = 250;
const MIN_LETTERS = 2;

// ``urlFor(query)`` gives the address of the fragment for what is typed in ``input``.
export const liveResults = (input, results, urlFor) => {
  let timer = 0;
  let controller = null;
  let last = input.value.trim();

  const refresh = async () => {
    const query = input.value.trim();
    if (query === last || (query.length > 0 && query.length < MIN_LETTERS)) return;
    last = query;
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(urlFor(query), {
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
};
