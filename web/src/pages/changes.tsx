import { Page } from '../components/page.tsx';

// Placeholder of the scaffold: the page is built by its own commit.
export function ChangesPage(props: { query: URLSearchParams }) {
  return (
    <Page name="changes" title="Changes" status="empty">
      <p>{props.query.toString()}</p>
    </Page>
  );
}
