// Second-factor pages, all optional (every page works without them, except security keys,
// which need the browser's WebAuthn API anyway).
// - Buttons marked data-print appear and print the page (recovery codes).
// - A security key that fails or is cancelled says why in the [data-webauthn-error] box
//   (its data-* attributes hold the messages in the page's language), instead of failing
//   silently: allauth's scripts announce failures as an "allauth.error" event.
// - Without WebAuthn in the browser, the key buttons are disabled and the box explains why.

const box = document.querySelector("[data-webauthn-error]");
const MESSAGE_OF = {
  NotAllowedError: "notAllowed",
  AbortError: "notAllowed",
  InvalidStateError: "invalidState",
  SecurityError: "security",
};

function showError(key) {
  if (!box) return false;
  box.textContent = box.dataset[key] || box.dataset.fallback;
  box.hidden = false;
  return true;
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

document.addEventListener("allauth.error", (event) => {
  const name = event.detail?.exception?.name;
  if (showError(MESSAGE_OF[name] || "fallback")) event.preventDefault();
});

if (!window.PublicKeyCredential) {
  const buttons = document.querySelectorAll("[data-webauthn-button]");
  for (const button of buttons) button.disabled = true;
  if (buttons.length) showError("unsupported");
}
