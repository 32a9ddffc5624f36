/** The irflow console: sign in with an API key, then the queue, incidents and approvals, all through the public API. */
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, ApiError, session, type Me } from './api.js';
import { Approvals } from './pages/Approvals.js';
import { IncidentPage } from './pages/IncidentPage.js';
import { Measures } from './pages/Measures.js';
import { Playbooks } from './pages/Playbooks.js';
import { Queue } from './pages/Queue.js';
import { SignIn } from './pages/SignIn.js';
import { PageBoundary } from './PageBoundary.js';
import { hrefOf, useRoute } from './router.js';
import './styles.css';

const queries = new QueryClient({ defaultOptions: { queries: { retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2 } } });

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const route = useRoute();
  return (
    <>
      <header className="top">
        <nav aria-label="Main">
          <strong>irflow</strong>
          <a href={hrefOf({ page: 'queue' })} aria-current={route.page === 'queue' ? 'page' : undefined}>Queue</a>
          <a href={hrefOf({ page: 'approvals' })} aria-current={route.page === 'approvals' ? 'page' : undefined}>Approvals</a>
          <a href={hrefOf({ page: 'playbooks' })} aria-current={route.page === 'playbooks' ? 'page' : undefined}>Playbooks</a>
          <a href={hrefOf({ page: 'measures' })} aria-current={route.page === 'measures' ? 'page' : undefined}>Measures</a>
        </nav>
        <span className="who">
          {me.displayName ?? me.name} <span className="muted">({me.roles.join(', ')})</span>{' '}
          <button type="button" onClick={onSignOut}>Sign out</button>
        </span>
      </header>
      <main>
        <PageBoundary page={route.page === 'incident' ? `incident:${route.id}` : route.page}>
          {route.page === 'queue' && <Queue />}
          {route.page === 'approvals' && <Approvals me={me} />}
          {route.page === 'incident' && <IncidentPage id={route.id} me={me} />}
          {route.page === 'playbooks' && <Playbooks me={me} />}
          {route.page === 'measures' && <Measures />}
        </PageBoundary>
      </main>
    </>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== null);
  const me = useQuery({ queryKey: ['me', signedIn], queryFn: () => api<Me>('/v1/me'), enabled: signedIn });
  const signOut = () => {
    session.signOut();
    queries.clear();
    setSignedIn(false);
  };
  if (!signedIn || me.error) return <SignIn error={me.error ? String(me.error.message) : undefined} onSignedIn={() => setSignedIn(true)} />;
  if (!me.data) return <p className="loading">Signing in…</p>;
  return <Shell me={me.data} onSignOut={signOut} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
