// Board of tasks: drag a card to another column (progressive enhancement). The page works
// without this script: each card has its own « Déplacer vers… » form, which this script
// posts with fetch (the form carries its CSRF token); on failure it submits the form.

const board = document.querySelector("[data-tasks-board]");
const status = document.getElementById("tasks-board-status");

function announce(message) {
  if (status) status.textContent = message;
}

function updateCounts() {
  for (const column of board.querySelectorAll("[data-status]")) {
    const count = column.querySelector("[data-count]");
    if (count) count.textContent = String(column.querySelectorAll("[data-task]").length);
  }
}

async function move(card, column) {
  const form = card.querySelector("form[data-task-move]");
  const select = form && form.querySelector("select[name=status]");
  if (!select || select.value === column.dataset.status) return;
  const previous = select.value;
  select.value = column.dataset.status;
  const list = column.querySelector("ul");
  const empty = list.querySelector(".tasks-column__empty");
  if (empty) empty.remove();
  list.append(card);
  updateCounts();
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || "");
    announce(body.detail);
  } catch {
    select.value = previous;
    form.submit();
  }
}

if (board) {
  let dragged = null;
  for (const card of board.querySelectorAll("[data-task]")) {
    card.draggable = true;
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("is-dragging");
      dragged = null;
    });
  }
  for (const column of board.querySelectorAll("[data-status]")) {
    column.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      column.classList.add("is-drop-target");
    });
    column.addEventListener("dragleave", () => column.classList.remove("is-drop-target"));
    column.addEventListener("drop", (event) => {
      event.preventDefault();
      column.classList.remove("is-drop-target");
      if (dragged) move(dragged, column);
    });
  }
}
