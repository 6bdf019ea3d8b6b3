// The ask box on product pages: as the customer types a title, show the existing questions
// (with their official answers) that may already answer it. Without JavaScript the form's
// "Check for answers" button shows the same list on a new page.
'use strict';

(function () {
  const form = document.querySelector('[data-ask-box]');
  if (!form) return;
  const title = form.querySelector('input[name="title"]');
  const results = document.getElementById('ask-box-results');
  let timer = null;
  let asked = '';

  async function lookUp() {
    const typed = title.value.trim();
    if (typed === asked) return;
    asked = typed;
    const query = new URLSearchParams(new FormData(form));
    try {
      const response = await fetch(form.action + '?' + query.toString(), { credentials: 'omit' });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.getElementById('ask-box-results');
      // An answer to an older title arriving late must not replace the newer one's.
      if (fresh && asked === typed) results.replaceChildren(...fresh.childNodes);
    } catch (_) {
      // The button still works.
    }
  }

  title.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 300);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    asked = '';
    lookUp();
  });
})();
