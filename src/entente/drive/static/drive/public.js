// Public links, two optional behaviours (every page works without them):
// - « Copier le lien » buttons ([data-copy]) of the « Liens publics » panel: copy the
//   address of the readonly field they name, and say so in their status line;
// - the drop page of an upload link ([data-drop]): files go one by one through the resumable
//   protocol (POST to create, PATCH chunks of 8 MiB, HEAD to resume after a cut) with a
//   progress bar; without this module, the form posts them in one plain request.

import { gettext, interpolate, ngettext } from "../entente/js/i18n.js";

const CHUNK = 8 * 1024 * 1024;
const RETRIES = 3;

// --- copy buttons --------------------------------------------------------------------------

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      field.select();
      copied = document.execCommand?.("copy") ?? false;
    }
    if (status) {
      status.textContent = copied
        ? gettext("Lien copié : collez-le dans votre message.")
        : gettext("Copie impossible : sélectionnez l'adresse et copiez-la (Ctrl+C).");
    }
  });
}

// --- drop page ------------------------------------------------------------------------------

const form = document.querySelector("form[data-drop][data-uploads-url]");

const b64 = (text) => {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

class UploadError extends Error {
  constructor(message, retry = false) {
    super(message);
    this.retry = retry;
  }
}

const detailOf = async (response) => {
  try {
    const data = await response.json();
    if (data && data.detail) return data.detail;
  } catch {
    // not JSON: fall through
  }
  return interpolate(
    gettext("Le serveur a refusé l'envoi (erreur %(status)s)."),
    { status: response.status },
    true,
  );
};

// Requests of the page stay on the platform and say where they come from (same-origin).
const SAME_ORIGIN = { credentials: "same-origin", referrerPolicy: "same-origin" };

// One PATCH: resolves to the new offset.
const patch = async (url, offset, blob, csrf) => {
  let response;
  try {
    response = await fetch(url, {
      ...SAME_ORIGIN,
      method: "PATCH",
      headers: {
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream",
        "X-CSRFToken": csrf,
      },
      body: blob,
    });
  } catch {
    throw new UploadError("réseau", true);
  }
  if (response.status === 204 || response.status === 200) {
    return Number(response.headers.get("Upload-Offset"));
  }
  if (response.status === 409) throw new UploadError("offset", true);
  throw new UploadError(await detailOf(response), response.status >= 500);
};

const currentOffset = async (url, csrf) => {
  const response = await fetch(url, {
    ...SAME_ORIGIN,
    method: "HEAD",
    headers: { "X-CSRFToken": csrf },
  });
  if (!response.ok) throw new UploadError(await detailOf(response));
  return Number(response.headers.get("Upload-Offset"));
};

const sendFile = async (file, { endpoint, parent, csrf, onProgress }) => {
  const metadata = [`name ${b64(file.name)}`];
  if (parent) metadata.unshift(`parent ${b64(parent)}`);
  const created = await fetch(endpoint, {
    ...SAME_ORIGIN,
    method: "POST",
    headers: {
      "Upload-Length": String(file.size),
      "Upload-Metadata": metadata.join(","),
      "X-CSRFToken": csrf,
    },
  });
  if (created.status !== 201) throw new UploadError(await detailOf(created));
  const url = new URL(created.headers.get("Location"), window.location.href).href;
  let offset = Number(created.headers.get("Upload-Offset") || 0);
  let failures = 0;
  if (file.size === 0) {
    // an empty file may be committed by the POST itself; otherwise one empty PATCH does it
    if (!created.headers.get("Entente-Node")) await patch(url, 0, new Blob([]), csrf);
    return;
  }
  while (offset < file.size) {
    const end = Math.min(offset + CHUNK, file.size);
    try {
      offset = await patch(url, offset, file.slice(offset, end), csrf);
      onProgress(offset);
      failures = 0;
    } catch (error) {
      if (!(error instanceof UploadError) || !error.retry || ++failures > RETRIES) throw error;
      await new Promise((resolve) => window.setTimeout(resolve, 1000 * failures));
      offset = await currentOffset(url, csrf);
    }
  }
};

if (form) {
  const input = form.querySelector('input[type="file"]');
  const progressBox = form.querySelector("[data-drop-progress]");
  const progress = progressBox?.querySelector("progress");
  const status = form.querySelector("[data-drop-status]");
  const submit = form.querySelector('button[type="submit"]');
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]')?.value || "";
  const say = (text, alert = false) => {
    status.setAttribute("role", alert ? "alert" : "status");
    status.textContent = text;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = [...input.files];
    if (files.length === 0) {
      say(gettext("Choisissez au moins un fichier à déposer."), true);
      input.focus();
      return;
    }
    const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
    let done = 0;
    const dropped = [];
    const failed = [];
    submit.disabled = true;
    input.disabled = true;
    progressBox.hidden = false;
    progress.value = 0;
    for (const [index, file] of files.entries()) {
      say(
        interpolate(
          gettext("Envoi de « %(name)s » (%(number)s sur %(total)s)…"),
          { name: file.name, number: index + 1, total: files.length },
          true,
        ),
      );
      try {
        await sendFile(file, {
          endpoint: form.dataset.uploadsUrl,
          parent: form.dataset.parent,
          csrf,
          onProgress: (sent) => {
            const percent = Math.round((100 * (done + sent)) / total);
            progress.value = percent;
            progress.textContent = `${percent} %`;
          },
        });
        dropped.push(file.name);
      } catch (error) {
        const reason =
          error instanceof UploadError && !error.retry
            ? error.message
            : gettext("l'envoi a été interrompu ; réessayez.");
        failed.push(
          interpolate(
            gettext("« %(name)s » n'a pas été déposé : %(reason)s"),
            { name: file.name, reason },
            true,
          ),
        );
      }
      done += file.size;
      progress.value = Math.round((100 * done) / total);
    }
    submit.disabled = false;
    input.disabled = false;
    input.value = "";
    const parts = [];
    if (dropped.length) {
      const names = dropped
        .map((name) => interpolate(gettext("« %(name)s »"), { name }, true))
        .join(", ");
      parts.push(
        interpolate(
          ngettext(
            "%(count)s fichier déposé : %(names)s. Merci !",
            "%(count)s fichiers déposés : %(names)s. Merci !",
            dropped.length,
          ),
          { count: dropped.length, names },
          true,
        ),
      );
    }
    parts.push(...failed);
    say(parts.join(" "), failed.length > 0);
  });
}
