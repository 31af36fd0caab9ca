import { Page } from '../components/page.tsx';

// Placeholder of the scaffold: the page is built by its own commit.
export function ModelPage(props: { id: string; query: URLSearchParams }) {
  return (
    <Page name="model" title="Model" status="empty">
      <p>
        {props.id} {props.query.toString()}
      </p>
    </Page>
  );
}
