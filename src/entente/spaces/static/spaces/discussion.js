// Discussion of a space: the « Mentionner un membre » list inserts @prenom.nom where the
// cursor is in the message. Without JavaScript the list of handles (a <details>) stays.
for (const picker of document.querySelectorAll("[data-mention-picker]")) {
  const field = document.getElementById(picker.dataset.target);
  const select = picker.querySelector("select");
  const button = picker.querySelector("button");
  if (!field || !select || !button) continue;
  picker.hidden = false;
  button.addEventListener("click", () => {
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    const before = field.value.slice(0, start);
    const space = before && !/\s$/.test(before) ? " " : "";
    const text = `${space}${select.value} `;
    field.setRangeText(text, start, end, "end");
    field.focus();
  });
}
