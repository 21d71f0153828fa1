// Charter's small client-side glue; HTMX does the rest.
// Forms answered with 422 carry their field errors: swap them in like a 200.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
