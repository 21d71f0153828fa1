// The plan page's Gantt chart. Drag a task bar sideways: on release the task gets "start no
// earlier than" the day it was dropped on (the server reschedules and redraws the plan).
// "Link on the chart": click the predecessor's bar, then the successor's, for a finish-to-start
// link. Both go through the same HTMX endpoints as the table, with the bar's version.
(() => {
  const DAY_MS = 86400000;
  let drag = null;
  let linkFrom = null;

  const chartOf = (element) => element?.closest?.("svg.gantt");
  const isoDay = (origin, days) => {
    const day = new Date(Date.parse(origin + "T00:00:00Z") + days * DAY_MS);
    return day.toISOString().slice(0, 10);
  };
  const post = (url, values) => htmx.ajax("POST", url, { target: "#plan", values });

  document.addEventListener("pointerdown", (event) => {
    const bar = event.target.closest?.(".gantt-task, .gantt-milestone");
    if (!bar || linkMode()) return;
    drag = { bar, startX: event.clientX, moved: 0 };
    bar.setPointerCapture?.(event.pointerId);
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag) return;
    drag.moved = event.clientX - drag.startX;
    drag.bar.setAttribute("transform", `${drag.bar.getAttribute("transform").replace(/ translate\(.*\)$/, "")} translate(${drag.moved} 0)`);
    drag.bar.classList.add("gantt-dragging");
  });

  document.addEventListener("pointerup", () => {
    if (!drag) return;
    const { bar, moved } = drag;
    drag = null;
    const svg = chartOf(bar);
    const days = Math.round(moved / Number(svg.dataset.pxPerDay));
    if (!days) {
      bar.setAttribute("transform", bar.getAttribute("transform").replace(/ translate\(.*\)$/, ""));
      bar.classList.remove("gantt-dragging");
      return;
    }
    const startDays = Math.floor(Number(bar.dataset.x) / Number(svg.dataset.pxPerDay)) + days;
    post(bar.dataset.dragUrl + window.location.search, { start: isoDay(svg.dataset.origin, startDays), version: bar.dataset.version });
  });

  const linkButton = () => document.querySelector("[data-gantt-link-mode]");
  const linkMode = () => linkButton()?.classList.contains("active");

  document.addEventListener("click", (event) => {
    const button = event.target.closest?.("[data-gantt-link-mode]");
    if (button) {
      button.classList.toggle("active");
      linkFrom = null;
      button.title = button.classList.contains("active") ? button.dataset.hint : "";
      document.querySelector(".plan-gantt")?.classList.toggle("gantt-linking", button.classList.contains("active"));
      return;
    }
    const bar = event.target.closest?.(".gantt-bar");
    if (!bar || !linkMode()) return;
    if (!linkFrom) {
      linkFrom = bar;
      bar.classList.add("gantt-picked");
      return;
    }
    if (linkFrom !== bar) post(linkButton().dataset.url, { predecessor: linkFrom.dataset.task, successor: bar.dataset.task });
    linkFrom.classList.remove("gantt-picked");
    linkFrom = null;
  });

  document.addEventListener("change", (event) => {
    if (!event.target.matches?.("[data-check-all]")) return;
    event.target.closest("form").querySelectorAll("input[name=task]").forEach((box) => { box.checked = event.target.checked; });
  });

  // Enter in the table's inline editor saves the row instead of submitting the whole table.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.closest?.("[data-testid=row-editor]")) return;
    event.preventDefault();
    event.target.closest("tr").querySelector("button.btn-primary")?.click();
  });
  document.addEventListener("submit", (event) => {
    if (event.target.matches?.("[data-no-submit]")) event.preventDefault();
  });
})();
