// The pipeline board. Dropping a card on another column submits the card's own "Move to" form
// (HTMX posts it with the card's version), so mouse, keyboard and no-JS moves share one path.
// A move into a lost stage first asks for the reason; a stale card (409) shows the refreshed
// board with its message.
(() => {
  const moveForm = (element) => element?.closest?.("[data-deal]")?.querySelector("form.kanban-move");
  const columnOf = (element) => element?.closest?.("[data-stage-id]");

  document.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.("[data-deal]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("kanban-dragging");
  });

  document.addEventListener("dragend", (event) => {
    event.target.closest?.("[data-deal]")?.classList.remove("kanban-dragging");
    document.querySelectorAll(".kanban-over").forEach((column) => column.classList.remove("kanban-over"));
  });

  document.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("kanban-over");
  });

  document.addEventListener("dragleave", (event) => {
    const column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("kanban-over");
  });

  document.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    if (!column) return;
    event.preventDefault();
    column.classList.remove("kanban-over");
    const card = document.getElementById(`deal-${event.dataTransfer.getData("text/plain")}`);
    const form = moveForm(card);
    if (!form || form.elements.stage.value === column.dataset.stageId) return;
    form.elements.stage.value = column.dataset.stageId;
    htmx.trigger(form, "submit");
  });

  // Every HTMX request passes htmx:confirm: hold a move into a lost stage until the reason is given.
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!form.matches?.("form.kanban-move")) return;
    const option = form.elements.stage.selectedOptions[0];
    if (option?.dataset.kind !== "lost" || form.elements.lost_reason.value) return;
    event.preventDefault();
    const dialog = document.getElementById("lost-reason-dialog");
    const reason = dialog.querySelector("textarea");
    reason.value = "";
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "confirm" && reason.value.trim()) {
          form.elements.lost_reason.value = reason.value.trim();
          event.detail.issueRequest(true);
        } else {
          form.reset(); // the card stays where it was
        }
      },
      { once: true },
    );
    dialog.showModal();
    reason.focus();
  });

  // After a move, keyboard users continue from the moved card's menu.
  document.addEventListener("htmx:afterSwap", (event) => {
    const moved = document.getElementById("board")?.dataset.moved;
    if (event.detail.target.id === "board" || event.detail.elt?.id === "board") {
      if (moved) document.getElementById(`move-${moved}`)?.focus();
    }
  });

  // A stale card answers 409 with the refreshed board and a message: show it.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 409 && event.detail.target.id === "board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
