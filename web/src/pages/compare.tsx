import { Page } from '../components/page.tsx';

// Placeholder of the scaffold: the page is built by its own commit.
export function ComparePage(props: { query: URLSearchParams }) {
  return (
    <Page name="compare" title="Compare" status="empty">
      <p>{props.query.toString()}</p>
    </Page>
  );
}
