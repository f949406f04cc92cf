// The dashboard's entry: hash routes to pages, the customer search box, and
// one place where a page's API error is shown.
import { clearError, showError } from './ui.js';
import { portfolioPage } from './portfolio.js';
import { customerPage } from './customer.js';
import { alertsPage } from './alerts.js';
import { backtestPage } from './backtest.js';

const routes = [
  [/^#\/portfolio$/, portfolioPage, 'portfolio'],
  [/^#\/customer\/(.+)$/, customerPage, null],
  [/^#\/alerts$/, alertsPage, 'alerts'],
  [/^#\/backtest$/, backtestPage, 'backtest'],
];

let generation = 0;

async function render(event) {
  const [path, qs = ''] = (location.hash || '#/portfolio').split('?');
  const params = new URLSearchParams(qs);
  const route = routes.find(([re]) => re.test(path));
  if (!route) { location.replace('#/portfolio'); return; }
  const [re, page, nav] = route;
  const match = path.match(re);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  clearError();
  const main = document.getElementById('main');
  const mine = ++generation;
  const view = document.createElement('div');
  view.className = 'page';
  view.dataset.route = location.hash || '#/portfolio';
  main.replaceChildren(view);
  // A new page starts at its top, with the focus there for keyboard and
  // screen-reader users (not on the first load: the skip link is first).
  if (event) {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
  // A page renders into `view`; `live()` turns false once the user has gone
  // elsewhere, so a late answer does not draw over the next page.
  const ctx = { params, live: () => mine === generation && view.isConnected };
  try {
    await page(view, ctx, ...match.slice(1).map(decodeURIComponent));
  } catch (err) {
    if (ctx.live()) {
      showError(err);
      view.querySelectorAll('.loading').forEach((n) => n.remove());
      view.dataset.state = 'error';
    }
  }
}

window.addEventListener('hashchange', render);
document.getElementById('goto').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = document.getElementById('goto-id').value.trim();
  if (id) location.hash = `#/customer/${encodeURIComponent(id)}`;
});
render();
