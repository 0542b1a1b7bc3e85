// Shell behaviours, all optional (every page works without them).
// - Escape closes an open menu (the account menu, any <details data-menu>) and gives focus
//   back to its summary; a click outside closes it; opening one closes the others.
// - Elements with data-confirm ask before submitting their form.

const MENU = "details.account-menu, details[data-menu]";
const menus = () => document.querySelectorAll(`:is(${MENU})[open]`);

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
    if (!(opened instanceof HTMLDetailsElement) || !opened.matches(MENU) || !opened.open) return;
    for (const menu of menus()) if (menu !== opened) menu.open = false;
  },
  true,
);

document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
