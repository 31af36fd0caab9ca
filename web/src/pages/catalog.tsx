import { Page } from '../components/page.tsx';

// Placeholder of the scaffold: the page is built by its own commit.
export function CatalogPage(props: { query: URLSearchParams }) {
  return (
    <Page name="catalog" title="Catalog" status="empty">
      <p>{props.query.toString()}</p>
    </Page>
  );
}
