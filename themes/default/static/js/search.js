// Search on the static site. The build indexed every item and page with Pagefind and wrote its
// runtime to pagefind/ beside the pages; this script reads the form (also from the address, so
// a search can be shared), asks the index, and lists what it found grouped by kind. The index is
// files of this site: nothing is sent anywhere.

const form = document.querySelector('form.search-form');
const input = form.querySelector('input[name=q]');
const filtersBox = form.querySelector('.search-filters');
const selects = [...form.querySelectorAll('select[data-filter]')];
const state = document.getElementById('search-state');
const results = document.getElementById('search-results');
const msg = form.dataset;
const collator = new Intl.Collator(msg.lang);

// How many results get their title and excerpt loaded; the count says how many there are.
const SHOWN = 50;

let pagefind = null;
let asked = 0;

async function runtime() {
  if (!pagefind) {
    pagefind = await import(`${msg.base}pagefind/pagefind.js`);
    await pagefind.options({ baseUrl: msg.base });
  }
  return pagefind;
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
}

/** The filter selects, from the values the index holds, each with its count. */
async function showFilters(params) {
  const available = await (await runtime()).filters();
  for (const select of selects) {
    const values = Object.entries(available[select.dataset.filter] ?? {})
      .sort(([a], [b]) => collator.compare(a, b));
    select.replaceChildren(new Option(msg.msgAll, ''));
    for (const [value, count] of values) {
      select.append(new Option(`${value} (${count})`, value));
    }
    select.value = params.get(select.name) ?? '';
    select.closest('p').hidden = values.length === 0;
  }
  filtersBox.hidden = false;
}

/** The excerpt Pagefind made, as text with its <mark>s and nothing else. */
function excerpt(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, 'text/html');
  const p = document.createElement('p');
  p.className = 'search-excerpt';
  for (const node of parsed.body.firstChild?.childNodes ?? []) {
    if (node.nodeName === 'MARK') {
      const mark = document.createElement('mark');
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function entry(data) {
  const li = document.createElement('li');
  const h3 = document.createElement('h3');
  const a = document.createElement('a');
  a.href = data.url;
  a.textContent = data.meta?.title ?? data.url;
  h3.append(a);
  li.append(h3);
  const facts = [...(data.filters?.pole ?? []), ...(data.filters?.status ?? [])];
  if (facts.length) {
    const p = document.createElement('p');
    p.className = 'card-meta';
    p.textContent = facts.join(' · ');
    li.append(p);
  }
  li.append(excerpt(data.excerpt ?? ''));
  return li;
}

/** Results in their order, grouped by kind, each kind where its best result ranks. */
function render(found, total) {
  const groups = new Map();
  for (const data of found) {
    const kind = data.filters?.kind?.[0] ?? '';
    if (!groups.has(kind)) groups.set(kind, []);
    groups.get(kind).push(data);
  }
  const sections = [];
  let n = 0;
  for (const [kind, list] of groups) {
    n += 1;
    const section = document.createElement('section');
    section.setAttribute('aria-labelledby', `search-group-${n}`);
    const h2 = document.createElement('h2');
    h2.id = `search-group-${n}`;
    h2.textContent = `${kind} (${list.length})`;
    const ol = document.createElement('ol');
    ol.className = 'search-list';
    ol.append(...list.map(entry));
    section.append(h2, ol);
    sections.push(section);
  }
  results.replaceChildren(...sections);
  let text = total === 1 ? msg.msgCountOne : fill(msg.msgCount, { n: total });
  if (total > found.length) text += ` ${fill(msg.msgShown, { n: found.length })}`;
  state.textContent = text;
}

async function search(params) {
  const query = (params.get('q') ?? '').trim();
  const filters = {};
  for (const select of selects) {
    const value = params.get(select.name);
    if (value) filters[select.dataset.filter] = value;
  }
  const mine = ++asked;
  if (!query && Object.keys(filters).length === 0) {
    results.replaceChildren();
    state.textContent = '';
    return;
  }
  state.textContent = msg.msgLoading;
  const pf = await runtime();
  const response = await pf.search(query || null, { filters });
  const found = await Promise.all(response.results.slice(0, SHOWN).map((r) => r.data()));
  if (mine !== asked) return;
  if (found.length === 0) {
    results.replaceChildren();
    state.textContent = fill(msg.msgNone, { q: query });
    return;
  }
  render(found, response.results.length);
}

function current() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set('q', input.value.trim());
  for (const select of selects) {
    if (select.value) params.set(select.name, select.value);
  }
  return params;
}

function update() {
  const params = current();
  const query = params.toString();
  history.replaceState(null, '', query ? `?${query}` : location.pathname);
  search(params).catch(failed);
}

function failed(error) {
  state.textContent = msg.msgFailed;
  console.error(error);
}

let timer = null;
form.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(timer);
  update();
});
input.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(update, 250);
});
for (const select of selects) select.addEventListener('change', update);

const start = new URLSearchParams(location.search);
input.value = start.get('q') ?? '';
showFilters(start)
  .then(() => search(start))
  .catch(failed);
