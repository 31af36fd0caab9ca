import { Page } from '../components/page.tsx';

// Placeholder of the scaffold: the page is built by its own commit.
export function CostPage(props: { query: URLSearchParams }) {
  return (
    <Page name="cost" title="Cost" status="empty">
      <p>{props.query.toString()}</p>
    </Page>
  );
}
