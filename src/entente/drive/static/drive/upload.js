// Sending files and whole folders with a real progress bar (optional: without this module the
// « Envoyer » form posts the files in one request).
//
// Files come from the « Envoyer » form, the « Envoyer un dossier » button (<input
// webkitdirectory>) or a drag and drop of files and folders onto the page (folders are walked
// with DataTransferItem.webkitGetAsEntry). Each file goes through the resumable protocol of
// /documents/envois/: POST announces it (rights, name and quota are checked before any byte),
// then PATCH sends it in 8 MiB pieces; XMLHttpRequest's upload.onprogress drives the bars.
// After a network cut the upload asks where it stopped (HEAD) and goes on from there. The
// overall progress is announced politely to screen readers at each quarter, not at every
// byte. When everything is sent, the folder's listing is fetched again and swapped in.

import { gettext, interpolate, ngettext } from "../entente/js/i18n.js";

const CHUNK_BYTES = 8 * 1024 * 1024;
const RETRIES = 6;
const FIRST_DELAY_MS = 1000;

const MESSAGES = {
  start: (n) =>
    interpolate(
      ngettext("Envoi d'un fichier commencé.", "Envoi de %(count)s fichiers commencé.", n),
      { count: n },
      true,
    ),
  progress: (pct) => interpolate(gettext("Envoi : %(percent)s %."), { percent: pct }, true),
  waiting: gettext("En attente…"),
  sending: gettext("Envoi en cours…"),
  done: gettext("Envoyé."),
  cancelled: gettext("Envoi annulé."),
  cut: (s) =>
    interpolate(
      gettext("Connexion interrompue : nouvel essai dans %(seconds)s s…"),
      { seconds: s },
      true,
    ),
  lost: gettext("La connexion est coupée : vérifiez votre réseau, puis « Réessayer »."),
  notSent: gettext("Non envoyé : l'espace est plein."),
  server: gettext("Le serveur n'a pas pu enregistrer ce fichier : réessayez dans un moment."),
  forbidden: gettext("Vous ne pouvez pas envoyer de fichier dans ce dossier."),
  tooLarge: gettext("Ce fichier est trop gros pour l'espace disponible."),
  refused: gettext("Ce fichier a été refusé."),
  finished: (ok, failed) => {
    const sent = interpolate(
      ngettext("%(count)s fichier envoyé", "%(count)s fichiers envoyés", ok),
      { count: ok },
      true,
    );
    if (!failed) return interpolate(gettext("Envoi terminé : %(sent)s."), { sent }, true);
    const errors = interpolate(
      ngettext(
        "%(count)s fichier n'a pas pu être envoyé",
        "%(count)s fichiers n'ont pas pu être envoyés",
        failed,
      ),
      { count: failed },
      true,
    );
    return interpolate(
      gettext("Envoi terminé : %(sent)s, %(errors)s (voir la liste)."),
      { sent, errors },
      true,
    );
  },
  about: (name, message) =>
    // Translators: a file (or its path in a dropped folder), then what became of it.
    interpolate(gettext("%(name)s : %(message)s"), { name, message }, true),
};

class UploadError extends Error {
  constructor(message, code = "") {
    super(message);
    this.code = code;
  }
}

class NetworkError extends Error {}

const sleep = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));

function base64(text) {
  const bytes = new TextEncoder().encode(String(text));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return window.btoa(binary);
}

function explain(xhr) {
  let body = null;
  try {
    body = JSON.parse(xhr.responseText || "null");
  } catch {
    body = null;
  }
  if (body && typeof body.detail === "string" && body.detail) {
    return new UploadError(body.detail, body.code || "");
  }
  if (xhr.status === 413) return new UploadError(MESSAGES.tooLarge, "too_large");
  if (xhr.status === 403 || xhr.status === 404) return new UploadError(MESSAGES.forbidden);
  if (xhr.status >= 500) return new UploadError(MESSAGES.server);
  return new UploadError(MESSAGES.refused);
}

function send(method, url, { headers = {}, body = null, onProgress = null, item = null } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, String(value));
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new NetworkError("network"));
    xhr.ontimeout = () => reject(new NetworkError("timeout"));
    xhr.onabort = () => reject(new UploadError(MESSAGES.cancelled, "cancelled"));
    if (item) item.xhr = xhr;
    xhr.send(body);
  });
}

class Item {
  constructor(batch, file, path) {
    this.batch = batch;
    this.file = file;
    this.path = path;
    this.name = batch.forcedName || file.name;
    this.size = file.size;
    this.loaded = 0;
    this.url = "";
    this.state = "waiting";
    this.cancelled = false;
    this.xhr = null;
    this.render();
  }

  render() {
    const row = document.createElement("li");
    row.className = "drive-progress__item";
    const name = document.createElement("span");
    name.className = "drive-progress__name";
    name.textContent = this.path || this.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute(
      "aria-label",
      interpolate(gettext("Progression de %(name)s"), { name: this.path || this.name }, true),
    );
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button--small button--secondary";
    cancel.textContent = gettext("Annuler");
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    // Translators: read by screen readers after « Annuler »: « Annuler l'envoi de rapport.pdf ».
    const what = gettext("l'envoi de %(name)s");
    hidden.textContent = ` ${interpolate(what, { name: this.path || this.name }, true)}`;
    cancel.append(hidden);
    cancel.addEventListener("click", () => this.cancel());
    const status = document.createElement("p");
    status.className = "drive-progress__status";
    status.textContent = MESSAGES.waiting;
    row.append(name, cancel, bar, status);
    this.row = row;
    this.bar = bar;
    this.button = cancel;
    this.status = status;
    this.batch.list.append(row);
  }

  setStatus(text, state = null) {
    this.status.textContent = text;
    if (state) {
      this.state = state;
      this.row.classList.toggle("drive-progress__item--error", state === "error");
      this.row.classList.toggle("drive-progress__item--done", state === "done");
    }
  }

  progress(loaded) {
    this.loaded = Math.min(loaded, this.size);
    this.bar.value = this.size ? Math.floor((100 * this.loaded) / this.size) : 0;
    this.batch.update();
  }

  headers(extra = {}) {
    return { "X-CSRFToken": this.batch.csrf, ...extra };
  }

  async create() {
    const metadata = [`parent ${base64(this.batch.parent)}`, `name ${base64(this.name)}`];
    if (this.path) metadata.push(`path ${base64(this.path)}`);
    const answer = await send("POST", this.batch.uploadsUrl, {
      headers: this.headers({
        "Upload-Length": this.size,
        "Upload-Metadata": metadata.join(","),
        "Tus-Resumable": "1.0.0",
      }),
      item: this,
    });
    if (answer.status !== 201 && answer.status !== 200) throw explain(answer);
    // an empty file is stored at once: the answer names it and there is nothing to send
    const committed = Boolean(answer.getResponseHeader("Entente-Node"));
    this.url = answer.getResponseHeader("Location") || "";
    if (!this.url && !committed) throw new UploadError(MESSAGES.server);
    return { offset: Number(answer.getResponseHeader("Upload-Offset") || 0), committed };
  }

  async where() {
    const answer = await send("HEAD", this.url, { headers: this.headers(), item: this });
    if (answer.status >= 400) throw explain(answer);
    return Number(answer.getResponseHeader("Upload-Offset") || 0);
  }

  async run() {
    this.cancelled = false;
    this.button.hidden = false;
    this.setStatus(MESSAGES.sending, "sending");
    let offset = 0;
    let committed = false;
    let failures = 0;
    for (;;) {
      try {
        if (!this.url) {
          ({ offset, committed } = await this.create());
        } else if (failures) {
          offset = await this.where();
        }
        this.progress(offset);
        while (!committed) {
          const end = Math.min(offset + CHUNK_BYTES, this.size);
          const start = offset;
          const answer = await send("PATCH", this.url, {
            headers: this.headers({
              "Upload-Offset": start,
              "Content-Type": "application/offset+octet-stream",
              "Tus-Resumable": "1.0.0",
            }),
            body: this.file.slice(start, end),
            onProgress: (loaded) => this.progress(start + loaded),
            item: this,
          });
          if (answer.status === 409) {
            offset = await this.where();
            continue;
          }
          if (answer.status < 200 || answer.status >= 300) throw explain(answer);
          offset = Number(answer.getResponseHeader("Upload-Offset") || end);
          failures = 0;
          this.progress(offset);
          committed = offset >= this.size || Boolean(answer.getResponseHeader("Entente-Node"));
        }
        this.progress(this.size);
        this.bar.value = 100;
        this.button.hidden = true;
        this.setStatus(MESSAGES.done, "done");
        return;
      } catch (error) {
        if (this.cancelled) return;
        if (!(error instanceof NetworkError)) {
          this.fail(error.message, error.code, false);
          return;
        }
        failures += 1;
        if (failures > RETRIES) {
          this.fail(MESSAGES.lost, "network", true);
          return;
        }
        const delay = FIRST_DELAY_MS * 2 ** (failures - 1);
        this.setStatus(MESSAGES.cut(Math.round(delay / 1000)), "sending");
        await sleep(delay);
        if (this.cancelled) return;
      }
    }
  }

  fail(message, code, retry) {
    this.button.hidden = true;
    this.setStatus(message, "error");
    this.code = code;
    this.batch.say(MESSAGES.about(this.path || this.name, message));
    if (retry) {
      const again = document.createElement("button");
      again.type = "button";
      again.className = "button button--small";
      again.textContent = gettext("Réessayer");
      again.addEventListener("click", async () => {
        again.remove();
        this.batch.running += 1;
        await this.run();
        this.batch.running -= 1;
        this.batch.finish();
      });
      this.status.append(" ", again);
    }
  }

  cancel() {
    if (this.state === "done" || this.cancelled) return;
    this.cancelled = true;
    this.xhr?.abort();
    if (this.url) {
      send("DELETE", this.url, { headers: this.headers() }).catch(() => {});
    }
    this.button.hidden = true;
    this.setStatus(MESSAGES.cancelled, "cancelled");
    this.batch.update();
  }
}

class Batch {
  constructor(zone) {
    this.zone = zone;
    this.uploadsUrl = zone.dataset.uploadsUrl;
    this.parent = zone.dataset.parent;
    this.forcedName = zone.dataset.name || "";
    this.refreshUrl = zone.dataset.refresh || window.location.pathname;
    this.reload = "reload" in zone.dataset;
    this.panel = zone.querySelector("[data-upload-panel]");
    this.list = zone.querySelector("[data-upload-list]");
    this.total = zone.querySelector("[data-total]");
    this.totalText = zone.querySelector("[data-total-text]");
    this.announcer = zone.querySelector("[data-upload-announce]");
    this.close = zone.querySelector("[data-upload-close]");
    this.csrf = zone.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
    this.items = [];
    this.running = 0;
    this.quarter = 0;
    if (this.close) {
      this.close.addEventListener("click", () => {
        if (this.running) return;
        this.panel.hidden = true;
        this.list.replaceChildren();
        this.items = [];
        this.close.hidden = true;
      });
    }
  }

  say(text) {
    if (!this.announcer) return;
    this.announcer.textContent = "";
    window.setTimeout(() => {
      this.announcer.textContent = text;
    }, 50);
  }

  update() {
    const live = this.items.filter((item) => item.state !== "cancelled");
    const size = live.reduce((sum, item) => sum + item.size, 0);
    const loaded = live.reduce((sum, item) => sum + item.loaded, 0);
    const allDone = live.length > 0 && live.every((item) => item.state === "done");
    const pct = allDone ? 100 : size ? Math.min(99, Math.floor((100 * loaded) / size)) : 0;
    this.total.value = pct;
    this.total.textContent = `${pct} %`;
    if (this.totalText) this.totalText.textContent = `${pct} %`;
    const quarter = Math.floor(pct / 25);
    if (quarter > this.quarter && pct < 100) {
      this.quarter = quarter;
      this.say(MESSAGES.progress(quarter * 25));
    }
  }

  async add(entries) {
    if (!entries.length) return;
    this.panel.hidden = false;
    if (this.close) this.close.hidden = true;
    this.quarter = 0;
    const fresh = entries.map(({ file, path }) => new Item(this, file, path));
    this.items.push(...fresh);
    this.update();
    this.say(MESSAGES.start(fresh.length));
    this.running += 1;
    for (const item of fresh) {
      if (item.cancelled) continue;
      if (fresh.some((other) => other.code === "quota_exceeded")) {
        item.button.hidden = true;
        item.setStatus(MESSAGES.notSent, "error");
        continue;
      }
      await item.run();
      this.update();
    }
    this.running -= 1;
    await this.finish();
  }

  async finish() {
    if (this.running) return;
    this.update();
    const done = this.items.filter((item) => item.state === "done").length;
    const failed = this.items.filter((item) => item.state === "error").length;
    this.say(MESSAGES.finished(done, failed));
    if (this.close) this.close.hidden = false;
    if (!done) return;
    if (this.reload && !failed) {
      window.location.assign(this.refreshUrl);
      return;
    }
    await refreshListing(this.refreshUrl);
  }
}

async function refreshListing(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const selector of ["[data-listing]", ".drive-nav"]) {
      const fresh = page.querySelector(selector);
      const current = document.querySelector(selector);
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    }
    document.dispatchEvent(new CustomEvent("drive:refreshed"));
  } catch {
    // the listing stays as it was; a reload shows the new files
  }
}

// --- dropped folders ----------------------------------------------------------------------

function readAll(reader) {
  return new Promise((resolve, reject) => {
    const found = [];
    const next = () =>
      reader.readEntries((entries) => {
        if (!entries.length) {
          resolve(found);
          return;
        }
        found.push(...entries);
        next();
      }, reject);
    next();
  });
}

async function walk(entry, prefix, into) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    into.push({ file, path: prefix ? `${prefix}/${file.name}` : "" });
    return;
  }
  if (entry.isDirectory) {
    const here = prefix ? `${prefix}/${entry.name}` : entry.name;
    for (const child of await readAll(entry.createReader())) await walk(child, here, into);
  }
}

async function dropped(transfer) {
  const items = [...(transfer.items || [])].filter((item) => item.kind === "file");
  // entries must be taken before the first await: the list is emptied after the event
  const entries = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (!entries.length || entries.some((entry) => !entry)) {
    return [...transfer.files].map((file) => ({ file, path: "" }));
  }
  const found = [];
  for (const entry of entries) await walk(entry, "", found);
  return found;
}

// --- wiring -----------------------------------------------------------------------------

function setUp(zone) {
  const form = zone.querySelector("[data-upload-form]");
  if (!form || !zone.dataset.uploadsUrl) return;
  const batch = new Batch(zone);
  const input = form.querySelector('input[type="file"]:not([data-folder-input])');
  form.addEventListener("submit", (event) => {
    const files = [...(input?.files || [])];
    if (!files.length) return; // the server says what to do
    event.preventDefault();
    input.value = "";
    batch.add(files.map((file) => ({ file, path: "" })));
  });
  window.addEventListener("beforeunload", (event) => {
    if (batch.running) event.preventDefault();
  });
  if (batch.forcedName) return; // a new version: one file, no folders, no drop

  for (const hint of zone.querySelectorAll("[data-js-only]")) hint.hidden = false;
  const button = zone.querySelector("[data-pick-folder]");
  const folderInput = zone.querySelector("[data-folder-input]");
  if (button && folderInput && "webkitdirectory" in folderInput) {
    button.hidden = false;
    button.addEventListener("click", () => folderInput.click());
    folderInput.addEventListener("change", () => {
      const files = [...folderInput.files].map((file) => ({
        file,
        path: file.webkitRelativePath || "",
      }));
      folderInput.value = "";
      batch.add(files);
    });
  }

  const overlay = zone.querySelector("[data-dropzone]");
  const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  let depth = 0;
  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    depth += 1;
    if (overlay) overlay.hidden = false;
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth && overlay) overlay.hidden = true;
  });
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", async (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    if (overlay) overlay.hidden = true;
    batch.add(await dropped(event.dataTransfer));
  });
}

for (const zone of document.querySelectorAll("[data-upload]")) setUp(zone);
