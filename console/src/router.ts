/** Hash routes: #/queue, #/incidents/<id>, #/approvals, #/playbooks, #/measures. */
import { useEffect, useState } from 'react';

export type Route = { page: 'queue' } | { page: 'incident'; id: string } | { page: 'approvals' } | { page: 'playbooks' } | { page: 'measures' };

export function parse(hash: string): Route {
  const [, page, id] = hash.replace(/^#/, '').split('/');
  if (page === 'incidents' && id) return { page: 'incident', id: decodeURIComponent(id) };
  if (page === 'approvals' || page === 'playbooks' || page === 'measures') return { page };
  return { page: 'queue' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parse(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export const hrefOf = (route: Route) => (route.page === 'incident' ? `#/incidents/${encodeURIComponent(route.id)}` : `#/${route.page}`);
