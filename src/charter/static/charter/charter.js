// Charter's small client-side glue; HTMX does the rest.
// Forms answered with 422 carry their field errors: swap them in like a 200.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// A submit button with data-confirm asks first (deleting, clearing: things that cannot be undone).
document.addEventListener("submit", (event) => {
  const message = event.submitter?.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
