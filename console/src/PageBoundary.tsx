/**
 * Never a blank page: a page that fails to render shows what went wrong in a sentence, with the
 * way back (the queue, or the same page again); the header and navigation stay.
 */
import { Component, type ReactNode } from 'react';

interface Props {
  /** Changes when the person goes to another page: a new page starts without the old failure. */
  page: string;
  children: ReactNode;
}

export class PageBoundary extends Component<Props, { failed: Error | null; page: string }> {
  override state = { failed: null as Error | null, page: this.props.page };

  static getDerivedStateFromError(failed: Error) {
    return { failed };
  }

  static getDerivedStateFromProps(props: Props, state: { failed: Error | null; page: string }) {
    return props.page === state.page ? null : { failed: null, page: props.page };
  }

  override render() {
    const { failed } = this.state;
    if (!failed) return this.props.children;
    return (
      <section role="alert" className="error" aria-labelledby="page-failed">
        <h1 id="page-failed">This page could not be shown</h1>
        <p>{failed.message || 'Something in the page went wrong.'}</p>
        <p>
          <button type="button" onClick={() => this.setState({ failed: null })}>
            Try again
          </button>{' '}
          <a href="#/">Back to the queue</a>
        </p>
      </section>
    );
  }
}
