// Guidepost's progressive enhancement. Every feature here also works without JavaScript:
// vote buttons are plain forms, and the ask form has a Preview button.
'use strict';

(function () {
  // Votes: send the form in the background and update the count in place.
  document.addEventListener('submit', async function (event) {
    const form = event.target;
    if (!form.classList || !form.classList.contains('vote-form')) return;
    const button = event.submitter;
    if (!button || !button.value) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set('value', button.value);
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json' },
        body: new URLSearchParams(data),
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error('vote refused: ' + response.status);
      const outcome = await response.json();
      updateVotes(form, outcome);
    } catch (_) {
      // Fall back to the ordinary form post, which shows any message on a full page.
      const fallback = document.createElement('input');
      fallback.type = 'hidden';
      fallback.name = 'value';
      fallback.value = button.value;
      form.appendChild(fallback);
      form.submit();
    }
  });

  function updateVotes(form, outcome) {
    const score = form.querySelector('.score');
    if (score) score.lastChild.textContent = String(outcome.score);
    const up = form.querySelector('.vote.up');
    const down = form.querySelector('.vote.down');
    if (up) {
      up.setAttribute('aria-pressed', outcome.vote === 1 ? 'true' : 'false');
      up.value = outcome.vote === 1 ? 'none' : 'up';
    }
    if (down) {
      down.setAttribute('aria-pressed', outcome.vote === -1 ? 'true' : 'false');
      down.value = outcome.vote === -1 ? 'none' : 'down';
    }
  }

  // Live preview: Markdown is rendered by the server, exactly as posting would render it.
  document.querySelectorAll('textarea[data-preview]').forEach(function (textarea) {
    const target = document.getElementById(textarea.dataset.preview);
    const form = textarea.form;
    if (!target || !form) return;
    const token = form.querySelector('input[name="csrf_token"]');
    let timer = null;
    textarea.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        if (!textarea.value.trim()) {
          target.hidden = true;
          return;
        }
        try {
          const response = await fetch('/preview', {
            method: 'POST',
            headers: { 'X-CSRF-Token': token ? token.value : '' },
            body: new URLSearchParams({ body: textarea.value }),
            credentials: 'same-origin',
          });
          if (!response.ok) return;
          // The fragment was sanitised by the server with the same rules as a real post.
          target.innerHTML = await response.text();
          target.hidden = false;
        } catch (_) {
          // A failed preview is not worth interrupting the writer for.
        }
      }, 400);
    });
  });

  // Similar questions while asking: as the title is typed, show existing questions that may
  // already answer it. Without JavaScript the server shows strong matches on the first submit.
  const similarBox = document.getElementById('similar-questions');
  const titleInput = document.querySelector('form[action="/ask"] input[name="title"]');
  if (similarBox && titleInput) {
    const list = similarBox.querySelector('ul');
    let timer = null;
    let lastAsked = '';
    titleInput.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        const title = titleInput.value.trim();
        if (title === lastAsked) return;
        lastAsked = title;
        if (title.length < 8) {
          similarBox.hidden = true;
          return;
        }
        try {
          const response = await fetch('/questions/similar?title=' + encodeURIComponent(title), {
            headers: { Accept: 'application/json' },
            credentials: 'same-origin',
          });
          if (!response.ok || title !== lastAsked) return;
          const found = (await response.json()).questions || [];
          showSimilar(list, found, title);
          similarBox.hidden = found.length === 0;
        } catch (_) {
          // Suggestions are a help, not a step: a failure leaves the form as it is.
        }
      }, 300);
    });
  }

  function showSimilar(list, questions, title) {
    list.replaceChildren();
    questions.forEach(function (q) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      // Through /ask/suggested so the site counts a question answered before it was asked.
      link.href = '/ask/suggested/' + encodeURIComponent(q.id) + '?title=' + encodeURIComponent(title);
      link.textContent = q.title;
      item.appendChild(link);
      const count = document.createElement('span');
      count.className = 'muted';
      count.textContent = ' ' + q.answer_count + (q.answer_count === 1 ? ' answer' : ' answers');
      item.appendChild(count);
      [[q.official, 'official', 'Official answer'], [q.accepted, 'accepted', 'Accepted answer']].forEach(function (b) {
        if (!b[0]) return;
        const badge = document.createElement('span');
        badge.className = 'badge ' + b[1];
        badge.textContent = b[2];
        item.append(' ', badge);
      });
      list.appendChild(item);
    });
  }

  // Copy buttons (the heard-elsewhere queue's ready replies): without JavaScript the button stays
  // hidden and the reply is selected and copied by hand from its read-only box.
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', async function () {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      const status = button.nextElementSibling;
      try {
        await navigator.clipboard.writeText(source.value);
        if (status) status.textContent = 'Copied.';
      } catch (_) {
        source.select();
        if (status) status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
      }
    });
  });
})();
