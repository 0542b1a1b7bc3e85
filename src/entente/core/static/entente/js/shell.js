// Shell behaviours, all optional (every page works without them).
// - Escape closes the account menu and gives focus back to its summary.
// - A click outside the account menu closes it.
// - Elements with data-confirm ask before submitting their form.

const menus = () => document.querySelectorAll("details.account-menu[open]");

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

document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
