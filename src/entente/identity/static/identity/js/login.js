// E-mail-first sign-in, enhanced (the page works without this script, in two steps).
// As the address is typed, its domain decides the next step: an organisation with its own
// sign-in service → "Continuer" (the server sends the browser there); any other address →
// the password field, on the same page. Routing is by domain only: nothing here tells
// whether an account exists.

const form = document.getElementById("login-form");
const domainsScript = document.getElementById("sso-domains");

if (form && domainsScript) {
  const domains = JSON.parse(domainsScript.textContent || "{}");
  const email = form.querySelector('[name="login"]');
  const step = document.getElementById("login-step");
  const passwordStep = document.getElementById("password-step");
  const password = passwordStep.querySelector('input[name="password"]');
  const submit = document.getElementById("login-submit");
  const notice = document.getElementById("sso-notice");
  const usePasswordWrap = document.getElementById("use-password-wrap");
  const usePassword = document.getElementById("use-password");
  let passwordChosen = false;

  const serviceFor = (address) => {
    const domain = (address.split("@")[1] || "").trim().toLowerCase();
    return Object.prototype.hasOwnProperty.call(domains, domain) ? domains[domain] : null;
  };

  const update = () => {
    const service = serviceFor(email.value);
    const withPassword = !service || (passwordChosen && service.local);
    passwordStep.hidden = !withPassword;
    password.disabled = !withPassword;
    step.value = withPassword ? "password" : "email";
    submit.textContent = withPassword ? form.dataset.labelPassword : form.dataset.labelEmail;
    const text = service && !withPassword
      ? form.dataset.notice
          .replace("{provider}", service.provider)
          .replace("{organisation}", service.organisation)
      : "";
    if (notice.textContent !== text) notice.textContent = text;
    usePasswordWrap.hidden = !(service && service.local && !withPassword);
  };

  email.addEventListener("input", () => {
    passwordChosen = false;
    update();
  });
  usePassword.addEventListener("click", () => {
    passwordChosen = true;
    update();
    password.focus();
  });
  update();
}
