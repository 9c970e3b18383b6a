// The comment thread is cached and the same for everyone signed in; this applies what is
// yours (the reactions you gave, the comments you may edit or delete) from the JSON state
// rendered beside it, and gives the thread's plain forms your CSRF token.
(() => {
  const node = document.getElementById("discussion-state");
  const block = document.getElementById("discussion");
  if (!node || !block) return;
  const state = JSON.parse(node.textContent);
  const token = block.dataset.csrf || "";
  block.querySelectorAll('#comments input[name="csrfmiddlewaretoken"]').forEach((input) => {
    if (!input.value) input.value = token;
  });
  for (const [id, kinds] of Object.entries(state.mine || {})) {
    const bar = document.querySelector(`#comment-${id} > .comment-actions > .reactions`);
    if (!bar) continue;
    for (const kind of kinds) {
      const button = bar.querySelector(`button[value="${kind}:add"]`);
      if (!button) continue;
      button.value = `${kind}:remove`;
      button.classList.add("on");
      button.setAttribute("aria-pressed", "true");
    }
  }
  const own = new Set((state.own || []).map(String));
  block.querySelectorAll("#comments article.comment").forEach((article) => {
    const actions = article.querySelector(":scope > .comment-actions");
    if (!actions) return;
    const mine = own.has(article.dataset.id);
    if (mine) actions.querySelector(".own-only")?.removeAttribute("hidden");
    if (mine || state.moderator) actions.querySelector(".delete-form")?.removeAttribute("hidden");
  });
})();
