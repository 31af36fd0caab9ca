import { Link } from './components/link.tsx';
import { Page } from './components/page.tsx';
import { hrefOf, type PageName } from './core/routes.ts';
import { BASE, useLocation } from './router.ts';
import { CatalogPage } from './pages/catalog.tsx';
import { ModelPage } from './pages/model.tsx';
import { ChangesPage } from './pages/changes.tsx';
import { CostPage } from './pages/cost.tsx';
import { ComparePage } from './pages/compare.tsx';

const NAV: readonly { page: Exclude<PageName, 'model' | 'not-found'>; label: string }[] = [
  { page: 'catalog', label: 'Catalog' },
  { page: 'changes', label: 'Changes' },
  { page: 'cost', label: 'Cost' },
  { page: 'compare', label: 'Compare' },
];

export function App() {
  const { route, query } = useLocation();
  const active = route.page === 'model' ? 'catalog' : route.page;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link class="brand" href={BASE}>
          LLM Price Tracker
        </Link>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <Link
                  href={hrefOf({ page: n.page }, BASE)}
                  aria-current={active === n.page ? 'page' : undefined}
                >
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'catalog' ? (
          <CatalogPage query={query} />
        ) : route.page === 'model' ? (
          <ModelPage id={route.id} query={query} />
        ) : route.page === 'changes' ? (
          <ChangesPage query={query} />
        ) : route.page === 'cost' ? (
          <CostPage query={query} />
        ) : route.page === 'compare' ? (
          <ComparePage query={query} />
        ) : (
          <Page name="not-found" title="Page not found" status="error">
            <div class="state state-error" role="alert">
              <p>
                There is no page at <code>{route.path}</code>. <Link href={BASE}>Back to the catalog</Link>.
              </p>
            </div>
          </Page>
        )}
      </main>
      <footer class="foot">
        Prices in USD from OpenRouter and the providers’ own pages, kept as effective-dated history.{' '}
        <a href="/openapi.json">API (OpenAPI)</a> · <a href="/v1/changes.atom">Atom feed of changes</a>
      </footer>
    </>
  );
}
