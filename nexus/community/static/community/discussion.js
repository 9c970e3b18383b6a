// The comment thread is cached and the same for everyone signed in; this applies what is
// yours (the reactions you gave, the comments you may edit or delete) from the JSON state
// rendered beside it, and gives the thread's plain forms your CSRF token: on the page, and
// on every later page of comments "Show more" appends. Each comment is done once: what you
// changed since the page loaded came from the server and is already yours.
(() => {
  const node = document.getElementById("discussion-state");
  const block = document.getElementById("discussion");
  if (!node || !block) return;
  const state = JSON.parse(node.textContent);
  const token = block.dataset.csrf || "";
  const own = new Set((state.own || []).map(String));
  const apply = () => {
    block.querySelectorAll("#comments article.comment:not([data-applied])").forEach((article) => {
      article.dataset.applied = "";
      const actions = article.querySelector(":scope > .comment-actions");
      if (!actions) return;
      actions.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach((input) => {
        if (!input.value) input.value = token;
      });
      for (const kind of (state.mine || {})[article.dataset.id] || []) {
        const button = actions.querySelector(`.reactions button[value="${kind}:add"]`);
        if (!button) continue;
        button.value = `${kind}:remove`;
        button.classList.add("on");
        button.setAttribute("aria-pressed", "true");
      }
      const mine = own.has(article.dataset.id);
      if (mine) actions.querySelector(".own-only")?.removeAttribute("hidden");
      if (mine || state.moderator) actions.querySelector(".delete-form")?.removeAttribute("hidden");
    });
  };
  apply();
  block.addEventListener("htmx:afterSettle", apply);
})();
